#!/usr/bin/env bash
# A CPU of its own for a benchmark on a shared 2-core machine, through cgroup v1's cpuset controller (as root).
# Usage: benchmarks/quiet-core.sh on|off|run COMMAND...
#   on    every process now running (and with it its future children) to the cpuset "others", CPU 0
#   run   COMMAND in the cpuset "bench", CPU 1 (what it starts stays there)
#   off   every process back to the root cpuset, both CPUs
# Caches beyond L2 and memory bandwidth are still shared; compare within one run.
set -euo pipefail
root=/sys/fs/cgroup/cpuset
mk() { mkdir -p "$root/$1"; cat "$root/cpuset.mems" > "$root/$1/cpuset.mems"; echo "$2" > "$root/$1/cpuset.cpus"; }
case "$1" in
  on)
    mk others 0; mk bench 1
    for pid in $(cat "$root/tasks"); do echo "$pid" > "$root/others/tasks" 2>/dev/null || true; done
    echo "moved $(wc -l < "$root/others/tasks") tasks to CPU 0" ;;
  off)
    for g in others bench; do [[ -d $root/$g ]] || continue; for pid in $(cat "$root/$g/tasks"); do echo "$pid" > "$root/tasks" 2>/dev/null || true; done; done
    echo "root cpuset: $(wc -l < "$root/tasks") tasks" ;;
  run)
    shift; mk bench 1; echo $$ > "$root/bench/tasks"; exec "$@" ;;
esac
