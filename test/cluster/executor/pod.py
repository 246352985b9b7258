"""What a step pod built by Argo's controller asks for, read the way argoexec and the kubelet read it."""
import json

from .kube import ApiError

LABEL_WORKFLOW = "workflows.argoproj.io/workflow"
LABEL_COMPLETED = "workflows.argoproj.io/completed"
ANNOTATION_NODE_ID = "workflows.argoproj.io/node-id"
EMISSARY = "/var/run/argo/argoexec"
TEMPLATE_OFFLOADED = "offloaded"
ARGS_FILE = "ARGO_CONTAINER_ARGS_FILE"


def _container(pod, name):
    for container in pod["spec"].get("initContainers", []) + pod["spec"].get("containers", []):
        if container["name"] == name:
            return container
    return None


def _field_ref(pod, path):
    metadata = pod["metadata"]
    return {
        "metadata.name": metadata["name"],
        "metadata.namespace": metadata.get("namespace", ""),
        "metadata.uid": metadata.get("uid", ""),
        "spec.nodeName": pod["spec"].get("nodeName", ""),
        "spec.serviceAccountName": pod["spec"].get("serviceAccountName", ""),
        "status.podIP": pod.get("status", {}).get("podIP", ""),
        "status.hostIP": pod.get("status", {}).get("hostIP", ""),
    }.get(path, "")


def container_env(pod, container):
    """The container's environment as the kubelet builds it from plain values and field references."""
    env = {}
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        elif "fieldRef" in (variable.get("valueFrom") or {}):
            env[variable["name"]] = _field_ref(pod, variable["valueFrom"]["fieldRef"]["fieldPath"])
    return env


class StepPod:
    """One pod of a Workflow: its identity for the WorkflowTaskResult, its template, its main container."""

    def __init__(self, pod):
        self.raw = pod
        self.name = pod["metadata"]["name"]
        self.main = _container(pod, "main")
        self.wait_env = container_env(pod, _container(pod, "wait") or {})
        self.init_env = container_env(pod, _container(pod, "init") or {})
        annotations = pod["metadata"].get("annotations") or {}
        self.node_id = self.wait_env.get("ARGO_NODE_ID") or annotations.get(ANNOTATION_NODE_ID)
        self.workflow = self.wait_env.get("ARGO_WORKFLOW_NAME") or pod["metadata"]["labels"][LABEL_WORKFLOW]
        self.workflow_uid = self.wait_env.get("ARGO_WORKFLOW_UID", "")

    @property
    def phase(self):
        return self.raw.get("status", {}).get("phase", "Pending")

    @property
    def is_step(self):
        """A pod argoexec would serve: it has the wait sidecar and a main container."""
        return self.main is not None and bool(self.wait_env) and self.node_id is not None

    def template(self, kube):
        """ARGO_TEMPLATE: v3.7 puts it on the init container; above 128 KiB in a ConfigMap named after the pod."""
        for env in (self.init_env, self.wait_env):
            if env.get("ARGO_TEMPLATE") and env["ARGO_TEMPLATE"] != TEMPLATE_OFFLOADED:
                return json.loads(env["ARGO_TEMPLATE"])
        try:
            configmap = kube.get(kube.core("configmaps", self.name))
        except ApiError as error:
            raise RuntimeError(f"pod {self.name}: no ARGO_TEMPLATE in its env or ConfigMap ({error})") from None
        return json.loads(configmap["data"]["ARGO_TEMPLATE"])

    def main_argv(self, filesystem):
        """The main container's own command: Argo wraps it as `argoexec emissary ... -- COMMAND`, and moves
        args over 128 KiB into a file of its ConfigMap volume (ARGO_CONTAINER_ARGS_FILE)."""
        command = list(self.main.get("command") or []) + list(self.main.get("args") or [])
        if command[:1] == [EMISSARY] and "--" in command:
            command = command[command.index("--") + 1 :]
        args_file = self.main_env().get(ARGS_FILE)
        if args_file:
            with open(filesystem.host_path(args_file), encoding="utf-8") as handle:
                command += json.load(handle)
        return command

    def main_env(self):
        return container_env(self.raw, self.main)
