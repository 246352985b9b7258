"""Watch the step pods of one namespace and run each one (see runner.py) until stopped with SIGTERM."""
import argparse
import signal
import sys
import time

from .kube import ApiError, Kube
from .pod import LABEL_COMPLETED, LABEL_WORKFLOW, StepPod
from .runner import PodRunner, log


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--token-file", required=True)
    parser.add_argument("--namespace", default="argo")
    parser.add_argument("--pods-dir", required=True, help="one folder per pod: volumes, container layer, logs")
    parser.add_argument("--step-python", required=True, help="stands in for the image's python3")
    parser.add_argument("--interval", type=float, default=0.3)
    args = parser.parse_args()
    with open(args.token_file, encoding="utf-8") as handle:
        kube = Kube(args.server, args.ca, handle.read().strip(), args.namespace)
    runners = {}

    def shutdown(*_):
        for runner in runners.values():
            runner.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, shutdown)
    log("executor stand-in watching pods in", args.namespace)
    while True:
        try:
            # Pods of finished nodes carry completed=true: leaving them out keeps each poll small.
            items = kube.list_pods(f"{LABEL_WORKFLOW},{LABEL_COMPLETED}!=true")
        except (ApiError, OSError) as error:
            log("listing pods failed:", error)
            time.sleep(2)
            continue
        present = set()
        for item in items:
            pod = StepPod(item)
            if not pod.is_step:
                continue
            present.add(pod.name)
            runner = runners.get(pod.name)
            if runner is None:
                if pod.phase in ("Succeeded", "Failed") or item["metadata"].get("deletionTimestamp"):
                    continue
                runner = runners[pod.name] = PodRunner(kube, pod, args.pods_dir, args.step_python)
                runner.start()
            runner.update(pod)
        # Gone from the list: deleted, or its node is done (completed=true), e.g. when the Workflow is shut down.
        for name in list(runners):
            if name not in present:
                runners.pop(name).stop()
        time.sleep(args.interval)


if __name__ == "__main__":
    main()
