#!/usr/bin/env bash
# Why the GPU path on lavapipe cannot match the CPU path on the same cores (issue 11): how much
# CPU time lavapipe's compiled kernel code alone takes per threat-step, against the CPU twins'
# whole run per threat-step, both sampled by `perf` (CPU time, so the figures hold under load),
# and what that gives as a lower bound for 10,000 replicates on lavapipe, even if the dispatches,
# the host and wgpu cost nothing and both cores ran kernel code all the time. Then the wall time
# of the same GPU run with lavapipe's thread pool (the default) and without it
# (`LP_NUM_THREADS=0`: every workgroup on lavapipe's queue thread).
#
#   bash docs/lavapipe.sh            # from the repository root, after `cargo build --release`
#   N=300 bash docs/lavapipe.sh      # fewer replicates (default 1000); SEED=... (default 2026)
#   HORMUZ=/path/to/hormuz bash docs/lavapipe.sh   # another build
#
# Needs `perf` (Debian: linux-perf) and Mesa's lavapipe (mesa-vulkan-drivers). Extra arguments
# go to every run (e.g. the wide war's `--decide`s).
set -euo pipefail

hormuz=${HORMUZ:-target/release/hormuz}
n=${N:-1000}
seed=${SEED:-2026}
command -v perf >/dev/null || { echo "lavapipe.sh: needs perf (apt-get install linux-perf)" >&2; exit 2; }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$root/xdg}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
common=(--parameters point --seed "$seed" -q "$@")

# The share of a perf data file's samples in code lavapipe compiled at run time (perf names
# anonymous executable memory `[JIT] tid N`, or after the process's perf map).
jit_share() {
    perf report -i "$1" --sort dso --stdio 2>/dev/null | awk '
        /%/ && !/^#/ { p = $1; sub("%", "", p); if ($0 ~ /\[JIT\]|perf-[0-9]+\.map/) jit += p }
        END { printf "%.4f\n", jit / 100 }'
}
# The samples of a perf data file, counted exactly (the report's header rounds them: "4K").
count() { perf script -i "$1" -F tid 2>/dev/null | wc -l; }
steps() { jq .run.threat_steps "$1/summary.json"; }

hz=999
echo "warming lavapipe's shader cache (a 1-replicate GPU run) ..."
"$hormuz" run -n 1 -b gpu "${common[@]}" -o "$root/warm" 2>/dev/null

# One run under perf: NAME REPLICATES BACKEND-ARGS...; says its wall time and samples.
sampled() {
    local name=$1 reps=$2
    shift 2
    local t0 t1
    t0=$(date +%s.%N)
    perf record -q -F $hz -o "$root/$name.data" -- "$hormuz" run -n "$reps" "$@" "${common[@]}" -o "$root/$name" 2>/dev/null
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v s="$(count "$root/$name.data")" -v w="$name" -v hz=$hz \
        'BEGIN { printf "  %s: %.2f s wall, %d samples (%.2f s of CPU time)\n", w, b - a, s, s / hz }'
}
echo "runs under perf (at $hz Hz):"
sampled gpu "$n" -b gpu
sampled cpu "$n" -b cpu -j 1
sampled cpu1 1 -b cpu -j 1
cmp -s "$root/gpu/replicates.csv" "$root/cpu/replicates.csv" \
    || { echo "lavapipe.sh: the GPU and CPU runs differ" >&2; exit 1; }

gsteps=$(steps "$root/gpu")
gall=$(count "$root/gpu.data")
gshare=$(jit_share "$root/gpu.data")
call=$(count "$root/cpu.data")
c1=$(count "$root/cpu1.data")
per_rep=$(awk -v s="$gsteps" -v n="$n" 'BEGIN { printf "%.0f", s / n }')

awk -v hz=$hz -v n="$n" -v steps="$gsteps" -v gall="$gall" -v gshare="$gshare" \
    -v call="$call" -v c1="$c1" -v per="$per_rep" 'BEGIN {
    kern = gall * gshare / hz; cpu = (call - c1) / hz
    printf "%d replicates, %d threat-steps (%d per replicate), point parameters; the same replicates.csv on both\n", n, steps, per
    printf "lavapipe: %.2f s of CPU time in all, %.2f s (%.0f%%) in its compiled kernel code: %.2f us per threat-step\n", gall / hz, kern, 100 * gshare, 1e6 * kern / steps
    printf "CPU twins (-j 1): %.2f s of CPU time less a 1-replicate run (the plan, start-up): %.2f us per threat-step\n", cpu, 1e6 * cpu / steps
    printf "lavapipe kernel code alone / the whole CPU run: %.1f times the CPU time per threat-step\n", kern / cpu
    printf "lower bound at 10,000 replicates on 2 cores, lavapipe kernel code alone: %.0f s (the CPU path: %.1f s of CPU time, %.1f s on 2 cores)\n", 10000 * per * kern / steps / 2, 10000 * per * cpu / steps, 10000 * per * cpu / steps / 2
}'

for threads in default 0; do
    t0=$(date +%s.%N)
    if [ "$threads" = default ]; then
        "$hormuz" run -n "$n" -b gpu "${common[@]}" -o "$root/w" 2>/dev/null
    else
        LP_NUM_THREADS=$threads "$hormuz" run -n "$n" -b gpu "${common[@]}" -o "$root/w" 2>/dev/null
    fi
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" -v t="$threads" 'BEGIN { printf "lavapipe wall, LP_NUM_THREADS=%s: %.2f s\n", t, b - a }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
