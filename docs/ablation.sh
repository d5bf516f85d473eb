#!/usr/bin/env bash
# What each engagement mechanism changes: the calibration events and gulf-2026 run with the
# database and scenarios as they are, then with one mechanism taken out at a time (a copy
# of scenarios/ edited with sed), and the means of a few figures printed as a Markdown
# table. VALIDATION.md shows its output.
#
#   bash docs/ablation.sh            # from the repository root, after `cargo build --release`
#   N=200 bash docs/ablation.sh      # fewer replicates (default 1000); SEED=... (default 2026)
set -euo pipefail

hormuz=${HORMUZ:-target/release/hormuz}
n=${N:-1000}
seed=${SEED:-2026}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

# The mean of a column of replicates.csv.
mean() {
    awk -F, -v col="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
        { s += $c; k++ } END { printf "%.1f", s / k }' "$1/replicates.csv"
}

# One row: a copy of scenarios/ edited by the command given, each scenario run.
row() {
    local name=$1
    shift
    rows=$((rows + 1))
    local d=$root/$rows
    cp -r scenarios "$d"
    (cd "$d" && eval "$*")
    # Every edited file must still load: a broken edit is an error, not a silent row.
    for s in calibration/al-asad-2020 calibration/israel-apr-2024 calibration/israel-oct-2024 gulf-2026; do
        "$hormuz" check "$d/$s.toml" >/dev/null || { echo "$name: $s.toml does not load" >&2; exit 1; }
    done
    for s in calibration/al-asad-2020 calibration/israel-apr-2024 calibration/israel-oct-2024 gulf-2026; do
        # gulf-2026 on its fixed path, the wide war (the built-in scenario is a decision tree).
        local path=()
        [ "$s" = gulf-2026 ] && path=(--decide talks=collapse --decide strike=limited --decide retaliation=wide --decide proxies=join)
        "$hormuz" run "$d/$s.toml" -n "$n" --seed "$seed" --backend cpu -q -o "$d/out/$s" "${path[@]}" >/dev/null 2>&1
    done
    local a=$d/out/calibration/al-asad-2020 b=$d/out/calibration/israel-apr-2024
    local c=$d/out/calibration/israel-oct-2024 g=$d/out/gulf-2026
    echo "| $name | $(mean "$a" hits_al-asad) | $(mean "$b" intercepted_ballistic) | $(mean "$b" leaked_ballistic) | $(mean "$b" hits_total) | $(mean "$c" intercepted_ballistic) | $(mean "$c" leaked_ballistic) | $(mean "$c" hits_nevatim) | $(mean "$g" intercepted_total) | $(mean "$g" leaked_total) | $(mean "$g" hits_total) |"
}

rows=0
echo "| variant | Al Asad hits | Apr 2024 BM intercepted | leaked | hits | Oct 2024 BM intercepted | leaked | Nevatim hits | gulf-2026 intercepted | leaked | hits |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
row "all mechanisms" true
row "no fly-out (interceptors at 1,000 km/s)" \
    "sed -i 's/^mean_speed_kms = { value = [0-9.]*/mean_speed_kms = { value = 1000/' db/weapons.toml"
row "no radar track limits" "sed -i '/^radar_tracks = /d' gulf-2026.toml calibration/*.toml"
row "exact impact prediction (no let-fall error)" \
    "sed -i '/^impact_prediction_m = /d' gulf-2026.toml calibration/*.toml"
# A figure's value is a number or a distribution ({ low, mode, high }): either becomes the number.
row "no scatter (CEP 0)" \
    "sed -i 's/^cep_m = { value = \\({[^}]*}\\|[0-9_.]*\\)/cep_m = { value = 0/' db/weapons.toml"
row "interceptors always work (reliability 1)" \
    "sed -i 's/^reliability = { value = \\({[^}]*}\\|[0-9_.]*\\)/reliability = { value = 1/' db/weapons.toml"
row "no decoys" "sed -i '/^decoys = /d' db/weapons.toml"
row "no manoeuvring re-entry vehicles" "sed -i '/^manoeuvre = /d' db/weapons.toml"
row "battery choice: nearest" \
    "sed -i 's/^database = \\(.*\\)$/database = \\1\\nbattery_choice = \"nearest\"/' gulf-2026.toml calibration/*.toml"
