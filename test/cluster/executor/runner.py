"""One step pod from start to end: what argoexec init, the container runtime and argoexec wait would do."""
import copy
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback

from . import artifacts, logs, taskresult
from .filesystem import PodFilesystem
from .kube import ApiError

ANNOTATION_EXIT_CODE = "executor-standin.cellpipe.local/exit-code"
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(*parts):
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


class PodRunner(threading.Thread):
    def __init__(self, kube, pod, pods_dir, step_python):
        super().__init__(name=pod.name, daemon=True)
        self.kube = kube
        self.pod = pod
        self.root = os.path.join(pods_dir, pod.name)
        self.step_python = step_python
        self.running = threading.Event()
        self.stopped = threading.Event()
        self.process = None
        self.errors = []

    def update(self, pod):
        """The latest state of the pod from the API: Running starts main; deletion stops it."""
        self.pod = pod
        if pod.raw["metadata"].get("deletionTimestamp"):
            self.stop()
        elif pod.phase == "Running":
            self.running.set()

    def stop(self):
        """What the kubelet does to a deleted pod, and (approximately) Argo's signal on shutdown, when the
        controller marks a still running pod's node done: SIGTERM to main."""
        self.stopped.set()
        self.running.set()
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def run(self):
        try:
            self._run()
        except Exception:  # one broken pod must not stop the stand-in, nor hang its Workflow
            log(f"{self.pod.name}: {traceback.format_exc()}")
            try:
                self._finish(1)
            except Exception as error:
                log(f"{self.pod.name}: could not end the pod: {error}")

    def _run(self):
        os.makedirs(self.root, exist_ok=True)
        main_log = logs.CriLog(os.path.join(self.root, "main.log"))
        wait_log = logs.CriLog(os.path.join(self.root, "wait.log"))
        logs.serve(self.kube, self.pod.name, {"main": main_log.path, "wait": wait_log.path})
        taskresult.initialize(self.kube, self.pod)
        template = self.pod.template(self.kube)
        filesystem = PodFilesystem(self.root, self.pod, template)
        self.running.wait()
        if self.stopped.is_set():
            return
        log(f"{self.pod.name}: running node {self.pod.node_id}")
        exit_code, stdout = 1, b""
        try:
            filesystem.materialize(self.kube)
            artifacts.stage_script(template, filesystem)
            artifacts.load_inputs(template, filesystem)
        except Exception as error:  # argoexec init failing fails the pod before main starts
            self.errors.append(f"init: {error}")
        else:
            exit_code, stdout = self._run_main(filesystem, main_log)
        outputs = self._outputs(template, filesystem, stdout)
        for message in self.errors:
            wait_log.write("stderr", message)
            log(f"{self.pod.name}: {message}")
        if self.errors and exit_code == 0:
            exit_code = 1
        taskresult.report(self.kube, self.pod, outputs)
        taskresult.finalize(self.kube, self.pod)
        self._finish(exit_code)

    def _run_main(self, filesystem, main_log):
        env = {
            "PATH": os.path.dirname(self.step_python) + ":" + SYSTEM_PATH,
            "HOME": "/root",
            "HOSTNAME": self.pod.name,
            "LANG": "C.UTF-8",
            **self.pod.main_env(),
        }
        spec = {
            "binds": filesystem.binds(),
            "cwd": self.pod.main.get("workingDir") or "/",
            "env": env,
            "argv": self.pod.main_argv(filesystem),
        }
        spec_path = os.path.join(self.root, "contain.json")
        with open(spec_path, "w", encoding="utf-8") as handle:
            json.dump(spec, handle)
        self.process = subprocess.Popen(
            ["unshare", "--mount", sys.executable, "-m", "executor.contain", spec_path],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={"PYTHONPATH": PACKAGE_ROOT, "PATH": SYSTEM_PATH},
            start_new_session=True,
        )
        if self.stopped.is_set():
            self.stop()
        stdout = []
        pumps = [
            threading.Thread(target=main_log.pump, args=("stdout", self.process.stdout, stdout)),
            threading.Thread(target=main_log.pump, args=("stderr", self.process.stderr)),
        ]
        for pump in pumps:
            pump.start()
        code = self.process.wait()
        for pump in pumps:
            pump.join()
        # A container killed by a signal exits 128 + the signal's number.
        return (128 - code if code < 0 else code), b"".join(stdout)

    def _outputs(self, template, filesystem, stdout):
        """argoexec wait: the template's outputs with parameter values and the saved artifacts' keys."""
        outputs = copy.deepcopy(template.get("outputs") or {})
        for parameter in outputs.get("parameters") or []:
            path = (parameter.get("valueFrom") or {}).get("path")
            if not path:
                continue
            try:
                with open(filesystem.host_path(path), encoding="utf-8") as handle:
                    value = handle.read()
            except (OSError, ValueError) as error:
                if parameter["valueFrom"].get("default") is None:
                    self.errors.append(f"output parameter {parameter['name']}: {error}")
                    continue
                value = parameter["valueFrom"]["default"]
            parameter["value"] = value[:-1] if value.endswith("\n") else value
        try:
            saved, errors = artifacts.save_outputs(template, filesystem, os.path.join(self.root, "staging"))
        except Exception as error:
            saved, errors = [], [f"output artifacts: {error}"]
        self.errors.extend(errors)
        if saved:
            outputs["artifacts"] = saved
        else:
            outputs.pop("artifacts", None)
        if self.pod.wait_env.get("ARGO_INCLUDE_SCRIPT_OUTPUT") == "true":
            outputs["result"] = stdout.decode("utf-8", "replace").removesuffix("\n")[-256 * 1024 :]
        return outputs

    def _finish(self, exit_code):
        """The container ended: tell kwok its exit code (a kubelet would read it from the runtime)."""
        log(f"{self.pod.name}: main exited {exit_code}")
        try:
            self.kube.merge_patch(
                self.kube.core("pods", self.pod.name),
                {"metadata": {"annotations": {ANNOTATION_EXIT_CODE: str(exit_code)}}},
            )
        except ApiError as error:
            if error.status != 404:
                raise
