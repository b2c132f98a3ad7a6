#!/usr/bin/env bash
# A single-node Slurm cluster on loopback for the workflow's cluster tests (Debian 12, root).
#
#   tests/slurm/start_cluster.sh DIR    # installs slurm + munge if absent, starts the daemons
#   source DIR/env.sh                   # SLURM_CONF and a PATH shim for the in-job srun
#   tests/slurm/stop_cluster.sh DIR     # stops exactly the daemons this script started
#
# Everything (config, munge key and socket, state, spool, logs, pid files) lives in DIR. The
# Snakemake jobstep plugin drops SLURM_CONF before its nested `srun`, so DIR/bin/srun is a shim
# that sets it again. No accounting database: job status comes from squeue (MinJobAge keeps
# finished jobs listed), which is what the test reads as Slurm's records.
set -euo pipefail
B=${1:?usage: start_cluster.sh DIR}
mkdir -p "$B"
B=$(cd "$B" && pwd)
PORT=${SLURM_TEST_PORT:-16817}

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null || ! command -v sbatch >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    echo "start_cluster.sh: Slurm is not installed and installing it needs root" >&2
    exit 2
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurmctld slurmd slurm-client munge >/dev/null
fi

mkdir -p "$B"/{log,munge,run,spool,state,bin}
[ -f "$B/munge/munge.key" ] || mungekey -c -k "$B/munge/munge.key"
chmod 400 "$B/munge/munge.key"
munged -S "$B/munge/munge.socket" --key-file="$B/munge/munge.key" --log-file="$B/log/munged.log" \
  --pid-file="$B/run/munged.pid" --seed-file="$B/munge/munged.seed"

MEM=$(($(awk '/MemTotal/{print int($2/1024)}' /proc/meminfo) - 1024))
NCPU=$(nproc)
CONF="$B/slurm.conf"
cat >"$CONF" <<EOC
ClusterName=lmfootprint-test
SlurmctldHost=localhost
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$B/munge/munge.socket
StateSaveLocation=$B/state
SlurmdSpoolDir=$B/spool
SlurmctldPidFile=$B/run/slurmctld.pid
SlurmdPidFile=$B/run/slurmd.pid
SlurmctldLogFile=$B/log/slurmctld.log
SlurmdLogFile=$B/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=600
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOC
export SLURM_CONF="$CONF"
slurmctld -f "$CONF"
slurmd -f "$CONF" -N localhost
printf '#!/bin/sh\nSLURM_CONF=%s exec /usr/bin/srun "$@"\n' "$CONF" >"$B/bin/srun"
chmod +x "$B/bin/srun"
cat >"$B/env.sh" <<EOC
export SLURM_CONF=$CONF
export PATH=$B/bin:\$PATH
unset SLURM_JOB_ID
EOC
for _ in $(seq 60); do
  if sinfo -h -o %T 2>/dev/null | grep -q idle; then
    echo "slurm up: $(sinfo -h -o '%P %a %D %T %N')"
    exit 0
  fi
  sleep 0.5
done
echo "start_cluster.sh: the node did not become idle; see $B/log" >&2
exit 1
