#!/usr/bin/env bash
# Stop the daemons that start_cluster.sh started in DIR, by their pid files, and nothing else.
set -u
B=${1:?usage: stop_cluster.sh DIR}
for d in slurmd slurmctld munged; do
  f="$B/run/$d.pid"
  [ -s "$f" ] || continue
  pid=$(cat "$f")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    echo "stopped $d ($pid)"
  fi
  rm -f "$f"
done
