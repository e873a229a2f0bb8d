#!/bin/bash
# A single-node Slurm on this machine, end to end: install Debian's slurm-wlm and munge if
# missing, start munged, slurmctld and slurmd (2 CPUs, localhost) with a private
# configuration under $WORK, submit sweep.sbatch as a 4-task job array on
# scenarios/branch-office.toml, merge with a dependent job (merge.sbatch), and compare the
# merged files with an unsharded sweep (cmp). Stops the daemons it started on exit; safe to
# run twice. Needs root (apt-get, daemons). Run from anywhere:
#   deploy/slurm/single-node.sh            # DRSIM=path/to/drsim to skip the release build
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-/tmp/drsim-slurm}
SHARDS_N=4
REPLICATIONS=${REPLICATIONS:-3}
SWEEP_ARGS="--replications $REPLICATIONS --set links.internet.work_hours_limit=50Mbps..150Mbps:50Mbps"
SCENARIO=scenarios/branch-office.toml
say() { printf '== %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "single-node.sh: run as root (it installs packages and starts daemons)" >&2; exit 2; }

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    say "installing slurm-wlm and munge"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >/dev/null
fi

stop_daemons() {
    local name pid
    for name in slurmd slurmctld munged; do
        if [ -f "$WORK/$name.pid" ]; then
            pid=$(cat "$WORK/$name.pid")
            if kill -0 "$pid" 2>/dev/null; then
                kill "$pid" 2>/dev/null || true
                for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            fi
            rm -f "$WORK/$name.pid"
        fi
    done
}
cleanup() {
    local rc=$?
    if [ -n "${SLURM_CONF:-}" ] && [ -f "$WORK/slurm.conf" ]; then
        scancel --quiet --name=drsim-sweep,drsim-merge 2>/dev/null || true
    fi
    stop_daemons
    say "daemons stopped"
    exit "$rc"
}

# A previous run interrupted before its cleanup: stop its daemons, start afresh.
stop_daemons
rm -rf "$WORK"
mkdir -p "$WORK"/{state,spool,run}
trap cleanup EXIT INT TERM

if [ -z "${DRSIM:-}" ]; then
    say "building drsim (release)"
    (cd "$REPO" && cargo build --release --quiet)
    DRSIM="${CARGO_TARGET_DIR:-$REPO/target}/release/drsim"
fi
DRSIM=$(realpath "$DRSIM")

say "starting munged"
# A private key and socket: the machine's own munge (if any) is left alone.
dd if=/dev/urandom of="$WORK/munge.key" bs=1024 count=1 status=none
chmod 400 "$WORK/munge.key"
munged --key-file="$WORK/munge.key" --socket="$WORK/run/munge.socket" \
    --pid-file="$WORK/munged.pid" --log-file="$WORK/munged.log" \
    --seed-file="$WORK/munged.seed" --force

HOST=$(hostname -s)
cat >"$WORK/slurm.conf" <<CONF
ClusterName=drsim-single
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$WORK/run/munge.socket
CredType=cred/munge
SlurmctldPort=16817
SlurmdPort=16818
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=single Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$WORK/slurm.conf"

say "starting slurmctld and slurmd"
slurmctld -i
slurmd
for _ in $(seq 100); do
    sinfo -h -o %T 2>/dev/null | grep -qx idle && break
    sleep 0.2
done
sinfo

cd "$REPO"
OUT=$WORK/merged
say "submitting the job array: $SHARDS_N shards of $SCENARIO ($SWEEP_ARGS)"
export DRSIM SCENARIO SWEEP_ARGS SHARDS="$WORK/shards" OUT
jid=$(sbatch --parsable --array=0-$((SHARDS_N - 1)) --chdir="$REPO" \
    --output="$WORK/sweep-%A_%a.out" --export=ALL deploy/slurm/sweep.sbatch)
mid=$(sbatch --parsable --dependency=afterok:"$jid" --chdir="$REPO" \
    --output="$WORK/merge-%j.out" --export=ALL deploy/slurm/merge.sbatch)
echo "array job $jid, merge job $mid (afterok:$jid)"
for _ in $(seq 600); do
    [ -z "$(squeue -h -j "$jid,$mid" 2>/dev/null)" ] && break
    sleep 0.5
done
squeue -h -j "$jid,$mid" | grep -q . && { echo "jobs still queued after 5 minutes" >&2; squeue; exit 1; }

for f in "$WORK"/sweep-*.out "$WORK"/merge-*.out; do
    echo "--- $(basename "$f")"
    cat "$f"
done

say "unsharded sweep on this machine, and cmp with the merged files"
# shellcheck disable=SC2086
"$DRSIM" sweep "$SCENARIO" $SWEEP_ARGS --quiet --out "$WORK/unsharded" --force
status=0
for f in runs.csv points.csv sweep.json; do
    if cmp "$WORK/unsharded/$f" "$OUT/$f"; then
        echo "identical: $f ($(wc -l <"$OUT/$f") lines)"
    else
        status=1
    fi
done
[ "$status" = 0 ] && say "merged shards == unsharded sweep, byte for byte" || say "MISMATCH"
exit "$status"
