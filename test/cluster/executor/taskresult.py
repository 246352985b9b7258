"""The three WorkflowTaskResult calls argoexec's wait container makes (workflow/executor/taskresult.go, v3.7.12)."""
from .kube import ApiError
from .pod import LABEL_WORKFLOW

GROUP_VERSION = "argoproj.io/v1alpha1"
LABEL_REPORTED = "workflows.argoproj.io/report-outputs-completed"


def _path(kube, pod):
    return kube.custom(GROUP_VERSION, "workflowtaskresults", pod.node_id)


def initialize(kube, pod):
    """InitializeOutput: an empty result named after the node, owned by the Workflow, not yet complete."""
    body = {
        "apiVersion": GROUP_VERSION,
        "kind": "WorkflowTaskResult",
        "metadata": {
            "name": pod.node_id,
            "labels": {LABEL_WORKFLOW: pod.workflow, LABEL_REPORTED: "false"},
            "ownerReferences": [
                {"apiVersion": GROUP_VERSION, "kind": "Workflow", "name": pod.workflow, "uid": pod.workflow_uid}
            ],
        },
    }
    try:
        kube.create(kube.custom(GROUP_VERSION, "workflowtaskresults"), body)
    except ApiError as error:
        if error.status != 409:
            raise


def report(kube, pod, outputs):
    """ReportOutputs: merge-patch the template's outputs with values, and only the artifacts that were saved."""
    kube.merge_patch(_path(kube, pod), {"outputs": outputs})


def finalize(kube, pod):
    """FinalizeOutput: mark the result complete, so the controller takes the node's outputs from it."""
    kube.merge_patch(_path(kube, pod), {"metadata": {"labels": {LABEL_REPORTED: "true"}}})
