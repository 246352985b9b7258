"""Objects shared among outputs stay shared across steps; on-demand definitions bring what they need."""

from cellpipe import serializers
from cellpipe.api import exec_action, load_action, make_spec, run_spec


def _run(tmp_path, step, cells, outputs=(), metrics=(), loads=(), prepare=(), definitions=None):
    """Runs a step that loads `loads` ((name, producer step) pairs) from earlier steps run in `tmp_path`."""
    actions = list(prepare) + [load_action(name, producer, tmp_path / producer) for name, producer in loads]
    spec = make_spec(step, cells, outputs=outputs, metrics=metrics, prepare=actions, definitions=definitions)
    result = run_spec(spec, tmp_path / step)
    assert result.returncode == 0, (result.stderr, result.manifest)
    return result


def test_outputs_sharing_objects_are_saved_as_one_group_and_stay_shared(tmp_path):
    source = "base = [1, 2]\nhistory = log = []\nsettings = {'nested': {'depth': 1}}\ninner = settings['nested']\nalone = [9]"
    producer = _run(tmp_path, "make", [source], outputs=["base", "history", "log", "settings", "inner", "alone"])
    outputs = producer.manifest["outputs"]
    assert outputs["history"]["file"] == outputs["log"]["file"] and (outputs["history"]["key"], outputs["log"]["key"]) == ("history", "log")
    assert outputs["settings"]["file"] == outputs["inner"]["file"] != outputs["log"]["file"]
    assert "key" not in outputs["base"] and "key" not in outputs["alone"] and outputs["base"]["file"] == "base.pkl"
    assert outputs["inner"]["type"] == "dict" and outputs["history"]["type"] == "list"
    consumer = _run(
        tmp_path,
        "mutate",
        ["log.append('mutated')\ninner['depth'] = 5\nresult = repr((history, settings))"],
        metrics=["result"],
        loads=[("log", "make"), ("history", "make"), ("inner", "make"), ("settings", "make")],
    )
    assert consumer.manifest["metrics"]["result"] == repr((["mutated"], {"nested": {"depth": 5}}))


def test_dataframes_in_a_dict_travel_with_the_dict_and_stay_the_same_objects(tmp_path):
    source = (
        "import pandas as pd\n"
        "jan = pd.DataFrame({'units': [1, 7]})\nfeb = pd.DataFrame({'units': [8, 2]})\n"
        "months = {'jan': jan, 'feb': feb}\nother = pd.DataFrame({'units': [3]})"
    )
    producer = _run(tmp_path, "frames", [source], outputs=["jan", "feb", "months", "other"])
    outputs = producer.manifest["outputs"]
    assert len({outputs[name]["file"] for name in ("jan", "feb", "months")}) == 1
    assert outputs["jan"]["type"] == "pandas.DataFrame" and outputs["months"]["type"] == "dict"
    assert outputs["other"]["serializer"] == "parquet"
    consumer = _run(
        tmp_path,
        "revenue",
        ["for name, frame in months.items():\n    frame['month'] = name\nresult = repr(list(jan.columns) + list(feb['month']))"],
        metrics=["result"],
        loads=[("months", "frames"), ("jan", "frames"), ("feb", "frames")],
    )
    assert consumer.manifest["metrics"]["result"] == repr(["units", "month", "feb", "feb"])


def test_a_name_bound_to_an_input_in_an_earlier_step_stays_that_input(tmp_path):
    _run(tmp_path, "base", ["base = [1, 2]"], outputs=["base"])
    aliasing = _run(tmp_path, "alias", ["alias = base"], outputs=["alias"], loads=[("base", "base")])
    assert aliasing.manifest["outputs"]["alias"]["sameAs"] == [{"step": "base", "name": "base"}]
    # A third step re-saves the object under yet another name: the history of names travels along.
    chained = _run(tmp_path, "chain", ["again = alias"], outputs=["again"], loads=[("alias", "alias")])
    assert chained.manifest["outputs"]["again"]["sameAs"] == [{"step": "alias", "name": "alias"}, {"step": "base", "name": "base"}]
    consumer = _run(
        tmp_path,
        "mutate",
        ["alias.append(3)\nresult = repr((base, again, base is alias is again))"],
        metrics=["result"],
        loads=[("base", "base"), ("alias", "alias"), ("again", "chain")],
    )
    assert consumer.manifest["metrics"]["result"] == repr(([1, 2, 3], [1, 2, 3], True))


def test_a_loaded_input_the_cells_rebind_is_freed(tmp_path):
    _run(tmp_path, "make", ["import collections\nmodel = collections.OrderedDict(a=1)"], outputs=["model"])
    source = "import gc, weakref\nprobe = weakref.ref(model)\nmodel = None\ngc.collect()\nfreed = probe() is None"
    consumer = _run(tmp_path, "use", [source], metrics=["freed"], loads=[("model", "make")])
    assert consumer.manifest["metrics"] == {"freed": True}


def test_a_bad_same_as_field_makes_the_input_invalid_naming_it(tmp_path):
    _run(tmp_path, "base", ["base = [1]"], outputs=["base"])
    manifest_path = tmp_path / "base" / "manifest.json"
    manifest_path.write_text(manifest_path.read_text().replace('"bytes"', '"sameAs": "base", "bytes"'))
    result = run_spec(make_spec("use", ["x = base"], prepare=[load_action("base", "base", tmp_path / "base")]), tmp_path / "use")
    assert result.returncode == 2
    assert result.manifest["error"]["message"] == (
        "input 'base' from step 'base': manifest field outputs.base.sameAs must be a list of {step, name} objects"
    )


def test_an_untravelable_value_in_a_group_names_the_member_holding_it(tmp_path):
    source = "shared = [1]\nfine = {'shared': shared}\nbad = [shared, open(__import__('os').devnull)]"
    result = run_spec(make_spec("make", [source], outputs=["fine", "bad"]), tmp_path / "make")
    assert result.returncode == 1
    assert result.manifest["error"]["message"].startswith("output 'bad' (bound in cell 1, id c0) cannot travel to later steps: it is a list holding")
    assert sorted(path.name for path in (tmp_path / "make").iterdir()) == ["events.ndjson", "manifest.json"]


def test_sharing_groups_follow_containers_instances_and_closures():
    class Holder:
        def __init__(self, item):
            self.item = item

    shared = {"k": 1}

    def make_reader():
        return lambda: shared_cell

    shared_cell = [0]
    reader = make_reader()
    values = {"a": shared, "b": Holder((1, shared)), "c": "text", "d": "text", "e": reader, "f": shared_cell, "g": 5}
    assert serializers.sharing_groups(values) == [["a", "b"], ["c"], ["d"], ["e", "f"], ["g"]]


def test_a_dataclass_defined_on_demand_gets_its_import_from_the_definitions(tmp_path):
    imports = "from dataclasses import dataclass, field\n"
    account = "@dataclass\nclass Account:\n    owner: str\n    entries: list = field(default_factory=list)\n"
    _run(tmp_path, "open", [imports, account, "alice = Account('alice')\nalice.entries.append(3)"], outputs=["alice"])
    definitions = {
        "dataclass": {"source": imports, "cellId": "c0"},
        "field": {"source": imports, "cellId": "c0"},
        "Account": {"source": account, "cellId": "c1"},
    }
    consumer = _run(
        tmp_path, "use", ["result = repr(alice)"], metrics=["result"], loads=[("alice", "open")], definitions=definitions
    )
    assert consumer.manifest["metrics"]["result"] == "Account(owner='alice', entries=[3])"


def test_definitions_that_need_each_other_fail_naming_the_cycle(tmp_path):
    first = "@second_decorator\ndef first_decorator(fn):\n    return fn\n"
    second = "@first_decorator\ndef second_decorator(fn):\n    return fn\n"
    box = "@first_decorator\nclass Box:\n    pass\n"
    producer_source = "class Box:\n    pass\nbox = Box()"
    _run(tmp_path, "make", [producer_source], outputs=["box"])
    definitions = {
        "first_decorator": {"source": first, "cellId": "c0"},
        "second_decorator": {"source": second, "cellId": "c1"},
        "Box": {"source": box, "cellId": "c2"},
    }
    spec = make_spec("use", ["x = box"], prepare=[load_action("box", "make", tmp_path / "make")], definitions=definitions)
    result = run_spec(spec, tmp_path / "use")
    assert result.returncode == 2
    assert result.manifest["error"]["message"].endswith(
        "NameError: cannot define second_decorator on demand: definitions that need each other "
        "(first_decorator -> second_decorator -> first_decorator)"
    )


def test_functions_loaded_by_value_get_the_helpers_they_call_defined(tmp_path):
    helpers = "import math\ndef area(r):\n    return math.pi * r * r\n"
    _run(tmp_path, "make", [helpers, "total = lambda rs: sum(area(r) for r in rs)"], outputs=["total"])
    definitions = {"math": {"source": "import math\n", "cellId": "c0"}, "area": {"source": helpers.split("\n", 1)[1], "cellId": "c0"}}
    consumer = _run(
        tmp_path,
        "use",
        ["result = round(total([1, 2]), 6)"],
        metrics=["result"],
        loads=[("total", "make")],
        prepare=[exec_action("import math", ["math"], "c0", 0)],
        definitions=definitions,
    )
    assert consumer.manifest["metrics"]["result"] == round(3.141592653589793 * 5, 6)
