"""The corpus's digest and comparison: content decides, identity and layout do not; unstable parts are left out."""

import functools
import json
import random
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402
import realworld_probe  # noqa: E402


def whole(value):
    return realworld_probe.digest_value(value)[""]


class Box:
    def __init__(self, items, stamp=0.0):
        self.items = items
        self.stamp = stamp


def test_equal_content_gives_equal_digests_whatever_the_layout():
    a = np.arange(12.0).reshape(3, 4)
    assert whole(a) == whole(a.copy())
    assert whole(np.asfortranarray(a)) == whole(a)
    assert whole(pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})) == whole(
        pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]})
    )


@pytest.mark.parametrize(
    "make, change",
    [
        (lambda: np.arange(4), lambda v: v.__setitem__(0, 99)),
        (lambda: pd.DataFrame({"x": [1, 2]}), lambda v: v.__setitem__("x", [1, 3])),
        (lambda: {"k": [1, 2]}, lambda v: v["k"].append(3)),
        (lambda: {1, 2}, lambda v: v.add(3)),
        (lambda: random.Random(0), lambda v: v.random()),
        (lambda: np.random.default_rng(0), lambda v: v.normal()),
        (lambda: np.random.RandomState(0), lambda v: v.rand()),
        (lambda: Box([1, 2]), lambda v: v.items.append(3)),
    ],
)
def test_a_changed_value_changes_its_digest(make, change):
    value = make()
    before = whole(value)
    change(value)
    assert whole(value) != before


def test_cycles_end_and_code_is_digested_by_name():
    cyclic = []
    cyclic.append(cyclic)
    assert whole(cyclic) != whole([[]])
    assert whole(test_cycles_end_and_code_is_digested_by_name) == whole(test_cycles_end_and_code_is_digested_by_name)
    assert whole(np.sort) == whole(np.sort)


def test_a_part_that_differs_between_runs_excludes_only_itself():
    run1 = {"c001": {"fit": realworld_probe.digest_value(Box([1, 2], stamp=1.0))}}
    run2 = {"c001": {"fit": realworld_probe.digest_value(Box([1, 2], stamp=2.0))}}
    unstable = corpus.nondeterministic(run1, run2)
    assert ("c001", "fit", "/stamp") in unstable and ("c001", "fit", "/items") not in unstable
    same_items = {"c001": {"fit": realworld_probe.digest_value(Box([1, 2], stamp=3.0))}}
    other_items = {"c001": {"fit": realworld_probe.digest_value(Box([1, 9], stamp=1.0))}}
    assert corpus.differences(same_items, run1, unstable) == []
    found = corpus.differences(other_items, run1, unstable)
    assert [(d["name"], d["parts"]) for d in found] == [("fit", ["/items/1"])]


def test_a_name_top_to_bottom_never_had_is_a_difference():
    reference = {"c001": {"a": realworld_probe.digest_value(1)}}
    got = {"c001": {"a": realworld_probe.digest_value(1), "b": realworld_probe.digest_value(2)}}
    found = corpus.differences(got, reference, set())
    assert [(d["name"], d["absentTopToBottom"]) for d in found] == [("b", True)]


def test_dump_writes_the_callers_variables_only(tmp_path, monkeypatch):
    monkeypatch.setenv("REALWORLD_PROBE_DIR", str(tmp_path))
    namespace = {"x": [1], "_hidden": 2, "In": [], "__name__": "__main__", "probe": realworld_probe}
    exec("probe.dump('c007')", namespace)
    written = json.loads((tmp_path / "c007.json").read_text())
    assert sorted(written) == ["probe", "x"]
    assert written["x"][""] == whole([1])


def test_grouping_tags_every_nth_code_cell_and_probes_follow_each_steps_last_cell():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# t")] + [nbformat.v4.new_code_cell(f"x{i} = {i}") for i in range(4)]
    nb.cells.append(nbformat.v4.new_code_cell("  "))
    tagged, last = corpus.grouped(nb, 3)
    assert [c.metadata.get("tags") for c in tagged.cells] == [None, ["step:s01"], None, None, ["step:s02"], None]
    assert last == [3, 4]
    probed = corpus.with_probes(tagged, set(last))
    sources = [c.source for c in probed.cells]
    assert sources[4].endswith('_realworld_probe.dump("c003")')
    assert sources[6].endswith('_realworld_probe.dump("c004")')
    assert len({c["id"] for c in probed.cells}) == len(probed.cells)


class Cached:
    """A value whose pickled state leaves out a cache, as lmfit's Parameter leaves out its expression evaluator."""

    def __init__(self, value):
        self.value = value
        self.cache = []

    def __getstate__(self):
        return {"value": self.value}


def test_a_class_that_defines_its_state_is_digested_by_it():
    used = Cached(1)
    used.cache.append("expression")
    assert whole(used) == whole(Cached(1))
    assert whole(Cached(2)) != whole(Cached(1))


def test_first_unstable_probe_orders_labels_by_cell():
    assert corpus.probe_label(2) < corpus.probe_label(10) < corpus.probe_label(100)


def test_cached_property_caches_are_not_part_of_a_value():
    class Graph:
        def __init__(self, edges):
            self.edges = edges

        @functools.cached_property
        def nodes(self):
            return sorted({node for edge in self.edges for node in edge})

    graph = Graph([(1, 2)])
    before = whole(graph)
    assert graph.nodes == [1, 2]
    assert whole(graph) == before
    graph.edges.append((2, 3))
    assert whole(graph) != before
