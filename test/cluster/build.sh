#!/usr/bin/env bash
# build.sh — idempotent, cached build of the test cluster: etcd (Debian package), kube-apiserver,
# kube-scheduler and kubectl v1.33.13, Argo's workflow-controller v3.7.12 and kwok v0.7.0 (Go modules),
# and the venv of the S3 store and the executor stand-in (PyPI). A no-op when everything is present.
#
# Writes only under $CLUSTER_ROOT (default ~/.cache/cellpipe-test-cluster):
#   bin/            binaries + NAME.version stamps (a binary is rebuilt only when missing or its stamp differs)
#   src/{k8s,argo}/ wrapper Go modules (go.mod/go.sum copied from gomod/ here)
#   manifests/crds/ the CRDs up.sh applies (Argo's from manifests/crds here, kwok's Logs from its module)
#   venv/           moto[server] + boto3 (requirements.txt here), rebuilt when that file changes
#   logs/build-times.log
# Go's own caches (~/go/pkg/mod, ~/.cache/go-build) make a rebuild after `rm -rf $CLUSTER_ROOT/bin` a link step.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CLUSTER_ROOT=${CLUSTER_ROOT:-$HOME/.cache/cellpipe-test-cluster}
K8S_VERSION=v1.33.13    # k8s.io/kubernetes, pinned by gomod/k8s/go.mod
ARGO_VERSION=v3.7.12    # github.com/argoproj/argo-workflows/v3, pinned by gomod/argo/go.mod
KWOK_VERSION=v0.7.0     # sigs.k8s.io/kwok
mkdir -p "$CLUSTER_ROOT"; CLUSTER_ROOT=$(cd "$CLUSTER_ROOT" && pwd)
BIN=$CLUSTER_ROOT/bin; LOG=$CLUSTER_ROOT/logs; mkdir -p "$BIN" "$LOG" "$CLUSTER_ROOT/src"
export GOFLAGS=${GOFLAGS:--mod=mod}
t0=$(date +%s)
say() { echo "[build $(( $(date +%s) - t0 ))s] $*"; }
stamp_ok() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }
timed() {  # timed NAME EXPECTED CMD... ; a cold Go build prints nothing for minutes: say what is going on
  local name=$1 expected=$2 s; shift 2; s=$(date +%s)
  say "building $name (cold: $expected; warm Go caches: seconds)"
  "$@"
  echo "$name built in $(( $(date +%s) - s ))s" | tee -a "$LOG/build-times.log"
}
put() { install -m 644 "$1" "$2"; }   # copy a (possibly read-only) file as a writable one

# ---------------------------------------------------------------- etcd (Debian) ------------
if ! command -v etcd >/dev/null; then
  if [ "$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null; then SUDO=sudo
  else echo "etcd missing: install the Debian packages etcd-server etcd-client" >&2; exit 1; fi
  say "installing etcd-server from Debian"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq etcd-server etcd-client
fi

# ------------------------------------------------------ Kubernetes wrapper module ----------
# k8s.io/kubernetes cannot be `go install`ed (its go.mod replaces every k8s.io/* staging module with
# ./staging/...): gomod/k8s requires it and pins each staging module to its published v0.33.13.
K=$CLUSTER_ROOT/src/k8s; mkdir -p "$K"
put "$HERE/gomod/k8s/go.mod" "$K/go.mod"; put "$HERE/gomod/k8s/go.sum" "$K/go.sum"
KLD="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=33 -X k8s.io/component-base/version.gitTreeState=clean -X k8s.io/component-base/version.buildDate=1970-01-01T00:00:00Z -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=33"
kbuild() { ( cd "$K" && go build -trimpath -ldflags "$KLD" -o "$BIN/$1" "k8s.io/kubernetes/cmd/$1" ) && echo "$K8S_VERSION" > "$BIN/$1.version"; }
stamp_ok kube-apiserver "$K8S_VERSION" || timed kube-apiserver "7-12 min" kbuild kube-apiserver
stamp_ok kube-scheduler "$K8S_VERSION" || timed kube-scheduler "1 min" kbuild kube-scheduler
stamp_ok kubectl "$K8S_VERSION" || timed kubectl "1 min" kbuild kubectl

# ------------------------------------------------------ Argo workflow-controller ----------
# argo-workflows/v3 has a replace directive, so `go install` refuses it: gomod/argo repeats it.
A=$CLUSTER_ROOT/src/argo; mkdir -p "$A"
put "$HERE/gomod/argo/go.mod" "$A/go.mod"; put "$HERE/gomod/argo/go.sum" "$A/go.sum"
abuild() { ( cd "$A" && go build -trimpath -ldflags "-s -w -X github.com/argoproj/argo-workflows/v3.version=$ARGO_VERSION" \
             -o "$BIN/workflow-controller" github.com/argoproj/argo-workflows/v3/cmd/workflow-controller ) \
           && echo "$ARGO_VERSION" > "$BIN/workflow-controller.version"; }
stamp_ok workflow-controller "$ARGO_VERSION" || timed workflow-controller "4-8 min" abuild

# ------------------------------------------------------------------ kwok ------------------
kwbuild() { GOBIN=$BIN go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" && echo "$KWOK_VERSION" > "$BIN/kwok.version"; }
stamp_ok kwok "$KWOK_VERSION" || timed kwok "3-5 min" kwbuild

# ------------------------------------------------------------------ CRDs -------------------
# Argo's (full v4.1.2 Workflow/WorkflowTaskResult + the minimal v3.7.12 ones the controller's informers
# need) from this folder; kwok's Logs CRD from its module, so the executor stand-in can point a pod's
# log at the step's real output.
CRD=$CLUSTER_ROOT/manifests/crds; rm -rf "$CRD.new"; mkdir -p "$CRD.new"
for f in "$HERE"/manifests/crds/*.yaml; do put "$f" "$CRD.new/$(basename "$f")"; done
KWOK_DIR=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
put "$KWOK_DIR/kustomize/crd/bases/kwok.x-k8s.io_logs.yaml" "$CRD.new/kwok.x-k8s.io_logs.yaml"
rm -rf "$CRD"; mv "$CRD.new" "$CRD"

# ------------------------------------------- venv: S3 store (moto) + executor stand-in -------
V=$CLUSTER_ROOT/venv
want=$(sha256sum "$HERE/requirements.txt" | cut -d' ' -f1)
if [ ! -x "$V/bin/python" ] || [ "$(cat "$V/.requirements" 2>/dev/null)" != "$want" ]; then
  say "installing the S3 store and the executor stand-in's packages into $V"
  [ -x "$V/bin/python" ] || python3 -m venv "$V"
  "$V/bin/python" -m pip install --quiet --disable-pip-version-check -r "$HERE/requirements.txt"
  echo "$want" > "$V/.requirements"
fi

say "done (CLUSTER_ROOT=$CLUSTER_ROOT)"
