#!/usr/bin/env bash
# down.sh — stop exactly the processes up.sh recorded in $CLUSTER_ROOT/run/pids, in reverse start order.
# A PID is signalled only if /proc/PID/cmdline still names what was started (PID reuse); TERM, then KILL
# after 15 s. Never kills by process name.
set -uo pipefail
CLUSTER_ROOT=${CLUSTER_ROOT:-$HOME/.cache/cellpipe-test-cluster}
RUN=$CLUSTER_ROOT/run; PIDS=$RUN/pids
[ -s "$PIDS" ] || { echo "nothing to stop ($PIDS empty or missing)"; exit 0; }
match() {  # match PID NAME -> process alive and its command line is the one up.sh started
  local pid=$1 name=$2 cmd
  cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || return 1
  case $name in
    executor) [[ $cmd == *" -m executor "* ]] ;;
    s3) [[ $cmd == *moto_server* ]] ;;
    etcd) [[ $cmd == *etcd* ]] ;;
    *) [[ $cmd == *"/$name "* || $cmd == *"/$name" ]] ;;
  esac
}
tac "$PIDS" | while read -r name pid; do
  if match "$pid" "$name"; then
    s=$(date +%s.%N); kill -TERM "$pid"
    for _ in $(seq 1 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid"; echo "KILL $name ($pid) after 15 s"
    else awk -v n="$name" -v p="$pid" -v a="$s" -v b="$(date +%s.%N)" 'BEGIN{printf "TERM %s (%s): gone after %.1fs\n", n, p, b-a}'; fi
  else
    echo "skip $name ($pid): not running"
  fi
done
rm -f "$PIDS"
echo "down."
