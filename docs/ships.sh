#!/usr/bin/env bash
# Ships in the built-in scenario (issue 14): hits and out-of-action per ship, the ship layers'
# rounds fired and the leak rates by class, on the fixed path and on the decision tree, and the
# same with every weapon's guidance taken out (a copy of scenarios/ with the `guidance` lines
# deleted: every weapon then follows its ship, as before issue 14), so that what the layers do
# and what guidance does can be told apart; then the eastern Mediterranean station: how often the
# destroyer there reports its cells low and leaves for Souda Bay, and what it and its relief fire.
# VALIDATION.md ("Plausibility") shows its output.
#
#   bash docs/ships.sh            # from the repository root, after `cargo build --release`
#   N=200 bash docs/ships.sh      # fewer replicates (default 1000); SEED=... (default 2026)
#   HORMUZ=/path/to/hormuz bash docs/ships.sh   # another build (e.g. one of an older commit)
set -euo pipefail

hormuz=${HORMUZ:-target/release/hormuz}
n=${N:-1000}
seed=${SEED:-2026}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fixed=(--decide talks=collapse --decide strike=limited --decide retaliation=wide --decide proxies=join)

# The mean of a column of replicates.csv ("-" when the column does not exist).
mean() {
    awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        c { s += $c; k++ } END { if (c) printf "%.2f", s / k; else printf "-" }' "$1/replicates.csv"
}
# A ratio of two columns' sums, as a percentage.
share() {
    awk -F, -v a="$2" -v b="$3" 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == a) x = i; if ($i == b) y = i }; next }
        { s += $x; t += $y } END { printf "%.0f%%", t ? 100 * s / t : 0 }' "$1/replicates.csv"
}

row() {
    local name=$1 out=$2
    printf '| %s | %s / %s | %s / %s | %s / %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
        "$(mean "$out" hits_red-sea-ddg)" "$(mean "$out" out_red-sea-ddg)" \
        "$(mean "$out" hits_abraham-lincoln)" "$(mean "$out" out_abraham-lincoln)" \
        "$(mean "$out" hits_cvn72-ddg-1)" "$(mean "$out" out_cvn72-ddg-1)" \
        "$(mean "$out" fired_essm)" "$(mean "$out" fired_phalanx-burst)" "$(mean "$out" fired_mk45-volley)" \
        "$(mean "$out" fired_nulka)" \
        "$(share "$out" leaked_cruise launched_cruise)" "$(share "$out" leaked_drone launched_drone)"
}

cp -r scenarios "$root/no-guidance"
sed -i '/^guidance = /d' "$root/no-guidance/db/weapons.toml"
echo "| run | Red Sea DDG hits / out | carrier hits / out | escort 1 hits / out | ESSM | Phalanx bursts | 5-inch volleys | Nulka | cruise leaked | drones leaked |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for path in fixed tree; do
    args=()
    [ "$path" = fixed ] && args=("${fixed[@]}")
    "$hormuz" run -n "$n" -s "$seed" -b cpu -q "${args[@]}" -o "$root/$path" >/dev/null 2>>"$root/log"
    row "$path path" "$root/$path"
    "$hormuz" run "$root/no-guidance/gulf-2026.toml" -n "$n" -s "$seed" -b cpu -q "${args[@]}" -o "$root/$path-ng" >/dev/null 2>>"$root/log"
    row "$path path, no guidance (every weapon follows its ship)" "$root/$path-ng"
done

# The eastern Mediterranean station: the destroyer's magazine report (trigger east-med-ddg-low,
# fewer than 24 cells) sends it to Souda Bay; its relief takes the station 5 hours later.
station() {
    local name=$1 out=$2
    printf '| %s | %s | %s | %s | %s |\n' "$name" \
        "$(mean "$out" trigger_east-med-ddg-low)" "$(mean "$out" cells_east-med-ddg)" \
        "$(mean "$out" cells_east-med-ddg-2)" "$(mean "$out" intercepted_ballistic_by_us)"
}
echo
echo "| run | share that sent the destroyer to port | its cells used | the relief's cells used | ballistic missiles the US intercepted |"
echo "|---|---|---|---|---|"
station "fixed path" "$root/fixed"
station "tree path" "$root/tree"
