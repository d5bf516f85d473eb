#!/usr/bin/env bash
# A real single-node Slurm cluster on this machine, for CI: munged, slurmctld and slurmd
# from Debian's `munge` and `slurm-wlm` packages (installed by .ci/run, nothing here),
# with a slurm.conf for localhost generated in a temporary folder. Runs
# deploy/slurm/hormuz-array.sbatch as a 4-task array (`sbatch --array=0-3 --wait`),
# merges the shards, and compares the merged outputs byte for byte with a run on this
# machine. The daemons are stopped on every exit. Needs root (the daemons and the job
# run as root).
#
#   deploy/slurm/ci-test.sh [path/to/hormuz]      (default: target/debug/hormuz)
set -euo pipefail
cd "$(dirname "$0")/../.."
HORMUZ="$(realpath "${1:-target/debug/hormuz}")"
[ -x "$HORMUZ" ] || { echo "ci-test.sh: no hormuz binary at $HORMUZ (cargo build first)" >&2; exit 2; }
for d in munged slurmctld slurmd sbatch; do
  command -v "$d" >/dev/null || { echo "ci-test.sh: $d not found: apt-get install slurm-wlm munge" >&2; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { echo "ci-test.sh: run as root (it starts munged, slurmctld and slurmd)" >&2; exit 2; }

work="$(mktemp -d /tmp/hormuz-slurm.XXXXXX)"
chmod 755 "$work"
pids=()
stop() {
  local rc=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  done
  if [ "$rc" -ne 0 ]; then
    for f in "$work"/*.log "$work"/out/*.out; do
      [ -f "$f" ] && { echo "== $f"; tail -n 30 "$f"; }
    done
  fi
  rm -rf "$work"
  exit "$rc"
}
trap stop EXIT INT TERM

# munge: its own socket and key, so that a munged already on the machine is left alone.
key="$work/munge.key"
dd if=/dev/urandom of="$key" bs=1 count=1024 status=none
chmod 600 "$key"
munged --force --foreground --key-file="$key" --socket="$work/munge.socket" \
  --pid-file="$work/munged.pid" --log-file="$work/munged.log" --seed-file="$work/munge.seed" \
  >>"$work/munged.log" 2>&1 &
pids+=($!)

cpus="$(nproc)"
host="localhost"
export SLURM_CONF="$work/slurm.conf"
cat >"$SLURM_CONF" <<CONF
ClusterName=hormuz-ci
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge.socket
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeHostname=$(hostname) CPUs=$cpus State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
mkdir -p "$work/state" "$work/spool" "$work/out"
for _ in $(seq 50); do [ -S "$work/munge.socket" ] && break; sleep 0.1; done

slurmctld -D -i -f "$SLURM_CONF" >>"$work/slurmctld.log" 2>&1 &
pids+=($!)
slurmd -D -N "$host" -f "$SLURM_CONF" >>"$work/slurmd.log" 2>&1 &
pids+=($!)
ready=""
for _ in $(seq 150); do
  if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then ready=1; break; fi
  sleep 0.2
done
[ -n "$ready" ] || { echo "ci-test.sh: the Slurm node did not come up" >&2; sinfo -N -l || true; exit 1; }
echo "slurm: $(sinfo -h -N -o '%N %T %c CPUs')"

n=48
seed=7
cd "$work/out"
HORMUZ="$HORMUZ" REPLICATES=$n SEED=$seed OUT="$work/out/study" MEMORY=512MiB \
  EXTRA="--events $work/out/events --event-replicates 15" \
  sbatch --array=0-3 --cpus-per-task=1 --wait --output="$work/out/task-%a.out" \
  "$OLDPWD/deploy/slurm/hormuz-array.sbatch"
cd "$OLDPWD"
ls "$work/out/study"
"$HORMUZ" merge "$work/out/study"/shard-* --out "$work/merged" -q
"$HORMUZ" run -n $n -s $seed -b cpu -q -o "$work/local" --memory-budget 512MiB \
  --events "$work/local/events" --event-replicates 15 2>/dev/null

timing() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["run"].pop("timing"); print(json.dumps(d, indent=1))' "$1"; }
cmp "$work/merged/replicates.csv" "$work/local/replicates.csv"
cmp "$work/merged/log.csv" "$work/local/log.csv"
diff <(timing "$work/merged/summary.json") <(timing "$work/local/summary.json")
grep -h "from SLURM_ARRAY_TASK_ID" "$work"/out/task-*.out | sort
echo "slurm: 4 array tasks of $n replicates merged; replicates.csv, log.csv and summary.json (less run.timing) identical to the local run"
