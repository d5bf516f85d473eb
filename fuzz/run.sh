#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 60), one after another, seeded with the
# project's scenarios and databases. Each input must finish within 10 s and 2 GiB, or it is
# a finding (written to fuzz/artifacts/<target>/). Exits non-zero on the first finding.
# Usage: fuzz/run.sh [SECONDS] [TARGET...]    (needs `cargo install cargo-fuzz`)
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(scenario database scenario_edits vary)
fi
# cargo fuzz passes nightly -Z flags (sanitizer coverage, AddressSanitizer): a stable
# toolchain accepts them with RUSTC_BOOTSTRAP.
export RUSTC_BOOTSTRAP=1

# The corpus starts from the project's own files (libFuzzer adds what it finds).
seed() {
    local target=$1
    shift
    mkdir -p "corpus/$target"
    for f in "$@"; do
        cp "$f" "corpus/$target/seed-$(basename "$(dirname "$f")")-$(basename "$f")"
    done
}
seed scenario ../scenarios/calibration/*.toml ../tests/data/smoke.toml
seed database ../scenarios/db/weapons.toml ../tests/data/db.toml
mkdir -p corpus/scenario_edits corpus/vary

for t in "${targets[@]}"; do
    echo "== fuzz $t for $seconds s"
    cargo fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
        -print_final_stats=1
done
