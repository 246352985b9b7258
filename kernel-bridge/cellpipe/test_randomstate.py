import random

import numpy

from cellpipe import randomstate


def test_a_saved_state_continues_the_draws(tmp_path):
    random.seed(0)
    numpy.random.seed(0)
    randomstate.save(str(tmp_path))
    expected = (random.random(), numpy.random.rand())
    random.seed(99)
    numpy.random.seed(99)
    randomstate.restore(str(tmp_path))
    assert (random.random(), numpy.random.rand()) == expected
    assert not (tmp_path / (randomstate.FILE_NAME + ".tmp")).exists()


def test_the_spec_decides_whether_state_is_saved_and_restored(tmp_path):
    randomstate.after_cells({}, str(tmp_path))
    assert not (tmp_path / randomstate.FILE_NAME).exists()
    random.seed(5)
    randomstate.after_cells({"randomState": {}}, str(tmp_path))
    expected = random.random()
    random.seed(6)
    randomstate.before_cells({"randomState": {"dir": str(tmp_path)}})
    assert random.random() == expected
