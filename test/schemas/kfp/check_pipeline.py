"""Checks compiled KFP pipelines with kfp's own code: `python check_pipeline.py FILE...` prints one JSON result per file.

Each file must load with `kfp.components.load_component_from_file`, and its executors must parse strictly
(unknown fields rejected) as KFP's `PipelineDeploymentConfig` protobuf, which the loader keeps as a free-form struct.
"""

import json
import sys

import yaml
from google.protobuf import json_format
from kfp import components
from kfp.pipeline_spec import pipeline_spec_pb2


def check(path):
    component = components.load_component_from_file(path)
    with open(path, encoding="utf-8") as handle:
        spec = next(yaml.safe_load_all(handle))
    strict = pipeline_spec_pb2.PipelineSpec()
    json_format.ParseDict({key: value for key, value in spec.items() if key != "deploymentSpec"}, strict)
    deployment = json_format.ParseDict(spec["deploymentSpec"], pipeline_spec_pb2.PipelineDeploymentConfig())
    return {
        "file": path,
        "ok": True,
        "name": component.name,
        "tasks": list(component.pipeline_spec.root.dag.tasks.keys()),
        "inputs": {name: value.type for name, value in (component.component_spec.inputs or {}).items()},
        "executors": sorted(deployment.executors.keys()),
        "platforms": sorted(component.platform_spec.platforms.keys()),
    }


def main(paths):
    for path in paths:
        try:
            result = check(path)
        except Exception as error:  # report every file, whatever kfp raised
            result = {"file": path, "ok": False, "error": "{}: {}".format(type(error).__name__, error)}
        print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
