import pytest

from cellpipe import parameters
from cellpipe.spec import InvalidSpec


def test_sources_keep_python_literal_semantics():
    document = {
        "parameters": {"rate": 1, "shape": [2, 3], "names": {"1": "a"}, "big": 1.2345678901234568e29, "plain": "x"},
        "parameterSources": {
            "rate": "1.0",
            "shape": "(2, 3)",
            "names": "{1: 'a'}",
            "big": "123456789012345678901234567890",
        },
    }
    bound = parameters.values(document)
    assert bound == {"rate": 1.0, "shape": (2, 3), "names": {1: "a"}, "big": 123456789012345678901234567890, "plain": "x"}
    assert isinstance(bound["rate"], float) and isinstance(bound["shape"], tuple)


def test_a_source_that_is_not_a_literal_is_an_invalid_spec():
    with pytest.raises(InvalidSpec, match="parameterSources\\['x'\\] is not a Python literal"):
        parameters.values({"parameters": {}, "parameterSources": {"x": "__import__('os')"}})
