#!/usr/bin/env bash
# Regenerates the built-in posterior, scenarios/posterior.json, and prints what VALIDATION.md's
# "The fit" section shows: fit.md (prior against posterior, leave-one-event-out), then the
# calibration table under the new posterior (after a rebuild, since the posterior is built in).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release
out=$(mktemp -d)
target/release/hormuz calibrate --fit "$out" --sets 40000 --accept 0.01 --seed 2026 --backend cpu
cp "$out/posterior.json" scenarios/posterior.json
cargo build --release
target/release/hormuz calibrate --posterior built-in --replicates 1000 --seed 2026
echo "fit.md: $out/fit.md"
