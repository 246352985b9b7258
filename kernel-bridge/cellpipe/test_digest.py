import functools
import pickle
import threading

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from cellpipe.digest import digest, value_kind


def roundtrip(value):
    return pickle.loads(pickle.dumps(value, protocol=5))


class Point:
    def __init__(self, x, y):
        self.x, self.y = x, y


@pytest.mark.parametrize(
    "value",
    [
        None,
        3,
        2.5,
        float("nan"),
        "text",
        b"bytes",
        [1, [2, (3, "x")]],
        {"b": 1, "a": {"nested": [1.5]}},
        {3, 1, 2},
        frozenset({"a", "b"}),
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.array(["a", None, 3], dtype=object),
        np.float64(1.25),
        pd.DataFrame(
            {"n": [1, 2, 3], "cat": pd.Categorical(["a", "b", "a"]), "when": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])},
            index=pd.Index(["r1", "r2", "r3"], name="row"),
        ),
        pd.Series([1.0, None, 3.0], name="s"),
        Point(1, [2, 3]),
    ],
)
def test_pickle_round_trip_keeps_digest(value):
    assert digest(roundtrip(value)) == digest(value)
    assert not digest(value).startswith("opaque:")


def test_fitted_model_digest_survives_round_trip_and_sees_refit():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    model = LogisticRegression().fit(X, [0, 1, 1, 0])
    before = digest(model)
    assert digest(roundtrip(model)) == before
    model.fit(X, [1, 0, 0, 1])
    assert digest(model) != before


def test_in_place_mutations_change_the_digest():
    frame = pd.DataFrame({"a": [1, 2]})
    array = np.zeros(3)
    items = [1, 2]
    point = Point(1, 2)
    mapping = {"k": [1]}
    rng = np.random.default_rng(0)
    snapshots = [digest(v) for v in (frame, array, items, point, mapping, rng)]
    frame["b"] = 1
    array[0] = 1
    items.append(3)
    point.y = 5
    mapping["k"].append(2)
    rng.normal()
    assert [digest(v) for v in (frame, array, items, point, mapping, rng)] != snapshots
    for old, value in zip(snapshots, (frame, array, items, point, mapping, rng)):
        assert digest(value) != old


def test_equal_content_in_different_objects_has_equal_digest_and_types_differ():
    assert digest([1, 2]) == digest([1, 2])
    assert digest([1, 2]) != digest((1, 2))
    assert digest(np.array([1, 2], dtype=np.int64)) != digest(np.array([1, 2], dtype=np.int32))
    assert digest(pd.DataFrame({"a": [1]})) != digest(pd.DataFrame({"b": [1]}))


def test_cycles_terminate():
    cyclic = [1]
    cyclic.append(cyclic)
    assert digest(cyclic) == digest(roundtrip(cyclic))


def test_values_that_cannot_travel_get_identity_digests(tmp_path):
    generator = (n for n in range(3))
    lock = threading.Lock()
    with open(tmp_path / "f.txt", "w") as handle:
        for value in (generator, lock, handle):
            assert digest(value).startswith("opaque:")
            assert hex(id(value))[2:] in digest(value)


def test_value_kind_distinguishes_code_from_values():
    def helper():
        return 1

    helper.__module__ = "__main__"
    helper.__qualname__ = "helper"
    assert value_kind("np", np) == "module"
    assert value_kind("helper", helper) == "function"
    assert value_kind("alias", helper) == "value"
    assert value_kind("LogisticRegression", LogisticRegression) == "module"
    assert value_kind("sqrt", __import__("math").sqrt) == "module"
    assert value_kind("point", Point(1, 2)) == "value"


def test_dict_digest_ignores_insertion_order_like_equality():
    import collections

    assert digest({"a": 1, "b": 2}) == digest({"b": 2, "a": 1})
    assert digest(collections.Counter("ab")) == digest(collections.Counter("ba"))
    assert digest({"a": 1}) != digest({"a": 2})


def test_bound_methods_of_library_objects_do_not_walk_the_object():
    class Huge:
        def method(self):
            return 1

    Huge.__module__ = "somelib"
    huge = Huge()
    huge.payload = list(range(10))
    before = digest(huge.method)
    huge.payload.append(1)
    assert digest(huge.method) == before


def test_object_graphs_beyond_the_budget_get_an_identity_digest(monkeypatch):
    import cellpipe.digest as module

    monkeypatch.setattr(module, "_MAX_OBJECTS", 50)
    big = [[i] for i in range(100)]
    assert digest(big).startswith("opaque:")
    assert not digest([[i] for i in range(10)]).startswith("opaque:")


def test_a_structure_past_the_budget_is_digested_by_identity_and_never_walked_again(monkeypatch):
    import cellpipe.digest as digest_module

    monkeypatch.setattr(digest_module, "_MAX_OBJECTS", 50)

    class Node:
        def __init__(self, children):
            self.children = children

    # Keys that are objects draw from the same budget as everything else (a dict keyed by 40 objects).
    tree = Node({Node([]): i for i in range(40)})
    first = digest_module.digest(tree)
    assert first.startswith("opaque:") and first == digest_module.digest(tree)
    walks = []
    monkeypatch.setattr(digest_module._Walker, "feed", lambda self, value: walks.append(value))
    assert digest_module.digest(tree) == first and walks == []


def test_sequences_of_scalars_are_digested_by_content_in_one_piece():
    from cellpipe.digest import digest

    assert digest([1, 2.5, "a", None]) == digest([1, 2.5, "a", None])
    assert digest([1, 2]) != digest([1, True]) != digest((1, 2))
    assert digest(list(range(300_000))) == digest(list(range(300_000)))
    assert not digest(list(range(300_000))).startswith("opaque:")


class _Graph:
    def __init__(self, edges):
        self.edges = list(edges)

    @functools.cached_property
    def degree(self):
        return {node: sum(node in edge for edge in self.edges) for edge in self.edges for node in edge}


def test_cached_property_entries_are_caches_not_content():
    graph = _Graph([(1, 2), (2, 3)])
    before = digest(graph)
    assert graph.degree[2] == 2
    assert "degree" in vars(graph)
    assert digest(graph) == before
    graph.edges.append((3, 4))
    assert digest(graph) != before
