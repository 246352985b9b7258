"""Kale's own dependency detector on notebooks: prints JSON {path: {"edges": [{to, name, from}]} or {"error"}}.

Run in bench/kale/.venv with the notebook paths as arguments (one process: importing Kale takes seconds).

Kale marshals a name into a step when the step reads it and an ancestor (along `prev:` edges) assigns it;
the producer is the nearest such ancestor, which is how Kale's generated code loads it.
"""

import json
import logging
import sys

logging.disable(logging.CRITICAL)

from kale.common import graphutils  # noqa: E402
from kale.processors.nbprocessor import NotebookProcessor  # noqa: E402


def edges_of(path):
    processor = NotebookProcessor(path, nb_metadata_overrides={"experiment_name": "bench", "pipeline_name": "bench"})
    pipeline = processor.run()
    edges = []
    for step in pipeline.steps:
        for name in step.ins:
            for ancestor in graphutils.get_ordered_ancestors(pipeline, step.name):
                if name in pipeline.get_step(ancestor).outs:
                    edges.append({"to": step.name, "name": name, "from": ancestor})
                    break
    return edges


def main(paths):
    results = {}
    for path in paths:
        try:
            results[path] = {"edges": edges_of(path)}
        except Exception as error:  # noqa: BLE001 - a notebook Kale rejects is scored as finding nothing
            results[path] = {"error": f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
