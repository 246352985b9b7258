#!/usr/bin/env bash
# up.sh — start the test cluster on 127.0.0.1 (exception: the workflow-controller's hard-coded :6060):
# etcd, kube-apiserver, kube-scheduler, kwok (fake node + pod lifecycles + pod logs), the S3 store (moto),
# Argo's workflow-controller and the executor stand-in. Needs build.sh (same CLUSTER_ROOT) and root
# (the executor stand-in runs each step in a private mount namespace).
# Writes only under $CLUSTER_ROOT: run/pki, run/*.kubeconfig, run/etcd, run/logs, run/pods, run/pids (read by down.sh).
#   ./up.sh                fresh etcd data and artifact store every time
#   KEEP_DATA=1 ./up.sh    keep etcd data
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CLUSTER_ROOT=${CLUSTER_ROOT:-$HOME/.cache/cellpipe-test-cluster}
mkdir -p "$CLUSTER_ROOT"; CLUSTER_ROOT=$(cd "$CLUSTER_ROOT" && pwd)
BIN=$CLUSTER_ROOT/bin; RUN=$CLUSTER_ROOT/run; M=$HERE/manifests; V=$CLUSTER_ROOT/venv
ETCD_PORT=12379; ETCD_PEER_PORT=12380; API_PORT=16443; SCHED_PORT=10259; KWOK_PORT=10247; S3_PORT=19000
API=https://127.0.0.1:$API_PORT
PIDS=$RUN/pids
KUBECTL=$BIN/kubectl
STEP_PYTHON=${STEP_PYTHON:-$REPO/.venv/bin/python}

if [ -s "$PIDS" ]; then
  while read -r name pid; do
    if kill -0 "$pid" 2>/dev/null; then echo "already running ($name pid $pid); run down.sh first" >&2; exit 1; fi
  done < "$PIDS"
  rm -f "$PIDS"
fi
for b in kube-apiserver kube-scheduler kubectl workflow-controller kwok; do
  [ -x "$BIN/$b" ] || { echo "missing $BIN/$b: run build.sh (same CLUSTER_ROOT)" >&2; exit 1; }
done
[ -x "$V/bin/moto_server" ] || { echo "missing $V/bin/moto_server: run build.sh (same CLUSTER_ROOT)" >&2; exit 1; }
command -v etcd >/dev/null || { echo "etcd not found (Debian package etcd-server; build.sh installs it)" >&2; exit 1; }
[ -x "$STEP_PYTHON" ] || { echo "no step interpreter $STEP_PYTHON: run 'node scripts/setup.mjs'" >&2; exit 1; }
case "$STEP_PYTHON" in /tmp/*) echo "step interpreter $STEP_PYTHON is under /tmp, which the stand-in gives every pod afresh: use a checkout (or STEP_PYTHON) elsewhere" >&2; exit 1;; esac
[ "$(id -u)" = 0 ] || { echo "up.sh must run as root: the executor stand-in mounts a private /cellpipe per pod" >&2; exit 1; }
mkdir -p "$RUN/logs"
cd "$RUN"   # nothing is ever written next to the scripts
trap 'echo "up.sh failed: whatever it started is listed in $PIDS; run down.sh (logs: $RUN/logs)" >&2' ERR
T0=$(date +%s.%N)
el() { awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}'; }
say() { echo "[up $(el)s] $*"; }
start() {  # start NAME LOGFILE CMD... ; records the PID of the exec'd program itself
  local name=$1 log=$2; shift 2
  nohup "$@" > "$log" 2>&1 < /dev/null &
  echo "$name $!" >> "$PIDS"
}
waitfor() {  # waitfor SECONDS DESCRIPTION CMD...
  local t=$1 d=$2; shift 2; local end=$(( $(date +%s) + t ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || { echo "timeout waiting for $d" >&2; exit 1; }
    sleep 0.2
  done
  say "$d"
}

# ------------------------------------------------------------- PKI + kubeconfigs ---------
bash "$HERE/credentials/pki.sh" "$RUN/pki" >/dev/null
P=$RUN/pki
bash "$HERE/credentials/kubeconfig.sh" "$RUN/admin.kubeconfig" "$API" "$P/ca.crt" admin --cert "$P/admin.crt" "$P/admin.key" argo
for u in argo-controller argo-executor kwok dev system:kube-scheduler; do
  bash "$HERE/credentials/kubeconfig.sh" "$RUN/${u#system:}.kubeconfig" "$API" "$P/ca.crt" "$u" \
    --token "$(awk -F, -v u="$u" '$2==u{print $1}' "$P/tokens.csv")" argo
done
( umask 077; awk -F, '$2=="argo-executor"{print $1}' "$P/tokens.csv" > "$RUN/argo-executor.token" )
k() { "$KUBECTL" --kubeconfig "$RUN/admin.kubeconfig" "$@"; }

# ------------------------------------------------------------------ etcd ------------------
[ "${KEEP_DATA:-0}" = 1 ] || rm -rf "$RUN/etcd"
start etcd "$RUN/logs/etcd.log" "$(command -v etcd)" --name local --data-dir "$RUN/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "local=http://127.0.0.1:$ETCD_PEER_PORT" --logger=zap --log-outputs=stderr
waitfor 30 "etcd healthy" curl -sf "http://127.0.0.1:$ETCD_PORT/health"

# ------------------------------------------------------------- kube-apiserver -------------
# No kube-controller-manager: TaintNodesByCondition would leave the node tainted not-ready forever.
start kube-apiserver "$RUN/logs/kube-apiserver.log" "$BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address=127.0.0.1 --secure-port="$API_PORT" --advertise-address=127.0.0.1 \
  --tls-cert-file="$P/apiserver.crt" --tls-private-key-file="$P/apiserver.key" \
  --client-ca-file="$P/ca.crt" --token-auth-file="$P/tokens.csv" \
  --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$P/sa.pub" --service-account-signing-key-file="$P/sa.key" \
  --service-cluster-ip-range=10.0.0.0/24 \
  --endpoint-reconciler-type=none \
  --disable-admission-plugins=TaintNodesByCondition \
  --kubelet-preferred-address-types=InternalIP \
  --profiling=false
waitfor 120 "kube-apiserver ready (/readyz)" curl -sf --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" "$API/readyz"

# ------------------------------------------------------------- cluster objects ------------
# Server-side apply: the full Workflow CRD (2.8 MB) would not fit client-side apply's annotation.
k apply --server-side --field-manager=cellpipe-test-cluster -f "$CLUSTER_ROOT/manifests/crds/" >/dev/null
waitfor 60 "CRDs established" k wait --for=condition=Established crd/workflows.argoproj.io crd/workflowtaskresults.argoproj.io \
  crd/workflowtemplates.argoproj.io crd/clusterworkflowtemplates.argoproj.io crd/cronworkflows.argoproj.io \
  crd/workflowtasksets.argoproj.io crd/workflowartifactgctasks.argoproj.io crd/logs.kwok.x-k8s.io --timeout=5s
k apply --server-side --field-manager=cellpipe-test-cluster -f "$M/00-namespace.yaml" -f "$M/10-argo-rbac.yaml" \
  -f "$M/20-kwok-rbac.yaml" -f "$M/30-workflow-controller-configmap.yaml" -f "$M/31-artifact-repository-secret.yaml" \
  -f "$M/50-kwok-node.yaml" >/dev/null
say "namespace argo, RBAC, workflow-controller-configmap, artifact repository secret, fake Node applied"

# ------------------------------------------------------------- kube-scheduler -------------
SK=$RUN/kube-scheduler.kubeconfig
start kube-scheduler "$RUN/logs/kube-scheduler.log" "$BIN/kube-scheduler" --kubeconfig="$SK" \
  --authentication-kubeconfig="$SK" --authorization-kubeconfig="$SK" --authentication-skip-lookup=true \
  --bind-address=127.0.0.1 --secure-port="$SCHED_PORT" --leader-elect=false
waitfor 60 "kube-scheduler healthy" curl -skf "https://127.0.0.1:$SCHED_PORT/healthz"

# ------------------------------------------------------------------ kwok ------------------
# Pod logs come from kwok's Logs objects (one per pod, created by the executor stand-in), hence --enable-crds=Logs.
start kwok "$RUN/logs/kwok.log" "$BIN/kwok" --kubeconfig="$RUN/kwok.kubeconfig" \
  --config="$M/40-kwok-stages.yaml" --enable-crds=Logs \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake --node-ip=127.0.0.1 --cidr=10.244.0.0/16 \
  --node-port="$KWOK_PORT" --server-address="127.0.0.1:$KWOK_PORT" \
  --tls-cert-file="$P/kwok.crt" --tls-private-key-file="$P/kwok.key" --node-lease-duration-seconds=40
waitfor 60 "kwok: node kwok-node-0 Ready" k wait --for=condition=Ready node/kwok-node-0 --timeout=2s

# ------------------------------------------------------- S3 artifact store ----------------
start s3 "$RUN/logs/s3.log" "$V/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT"
waitfor 30 "S3 store (moto) listening on 127.0.0.1:$S3_PORT" curl -sf "http://127.0.0.1:$S3_PORT/moto-api/"
curl -sf -X PUT "http://127.0.0.1:$S3_PORT/cellpipe-artifacts" >/dev/null
say "bucket cellpipe-artifacts created"

# ------------------------------------------------------- Argo workflow-controller --------
# Namespaced to "argo" as user argo-controller. DEFAULT_REQUEUE_TIME=1s is what Argo's own e2e setup uses.
LEADER_ELECTION_DISABLE=true DEFAULT_REQUEUE_TIME=${ARGO_REQUEUE_TIME:-1s} start workflow-controller "$RUN/logs/workflow-controller.log" \
  "$BIN/workflow-controller" --kubeconfig="$RUN/argo-controller.kubeconfig" \
  --namespaced --managed-namespace=argo --configmap=workflow-controller-configmap \
  --executor-image=argoproj/argoexec:v3.7.12 --loglevel=info
waitfor 90 "workflow-controller informers synced" grep -q "Started Workflow Controller\|Manager initialized successfully\|Starting Workflow Controller" \
  "$RUN/logs/workflow-controller.log"

# ------------------------------------------------------- executor stand-in ---------------
rm -rf "$RUN/pods"; mkdir -p "$RUN/pods"
PYTHONPATH=$HERE start executor "$RUN/logs/executor.log" "$V/bin/python" -u -m executor \
  --server "$API" --ca "$P/ca.crt" --token-file "$RUN/argo-executor.token" --namespace argo \
  --pods-dir "$RUN/pods" --step-python "$STEP_PYTHON"
waitfor 20 "executor stand-in watching pods" grep -q "watching pods" "$RUN/logs/executor.log"

echo "up in $(el)s. export KUBECONFIG=$RUN/admin.kubeconfig  (namespace argo)"
