#!/usr/bin/env bash
# Benchmark of issue 2: one streamed LSS pass over a full-size demo run (100×100×64, 2.2 mm,
# ~950 volumes, int16 .nii.gz) for the built-in ROIs plus the whole brain mask, side by side with
#   - `zcat FILE > /dev/null` (the floor: inflating the file once on one core), and
#   - nibabel's `get_fdata(dtype=float32)` on the same file (what a Python pipeline loads).
# Usage: bash bench/extract.sh [--reps N]     (results: paste the table into bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
REPS=1
[ "${1:-}" = "--reps" ] && REPS=$2
OUT=bench/out
DEMO=$OUT/demo-full
mkdir -p "$OUT"
npm run --silent build:cli && node bin/ddmvpa.mjs demo --out "$DEMO" --size full --subjects 1 --seed 1 --if-missing >&2
P=$DEMO/derivatives/fmriprep/sub-01/func/sub-01_task-discountFix
BOLD=${P}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz
ROIS="nacc_l nacc_r caudate_l caudate_r putamen_l putamen_r vmpfc dlpfc_l dlpfc_r pcc brain"

measure() { # label, command… → "label wall_s maxrss_mb"
  local label=$1; shift
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" > /dev/null 2> "$log" || { cat "$log" >&2; exit 1; }
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF/1024}')
  echo "$label $wall $rss"
  rm -f "$log"
}

echo "file: $BOLD ($(du -m "$BOLD" | cut -f1) MB gz), $(nproc) cores, node $(node --version)" >&2
for r in $(seq 1 "$REPS"); do
  measure zcat sh -c "zcat '$BOLD' > /dev/null"
  measure ddmvpa node bin/ddmvpa.mjs extract --bold "$BOLD" --events "$DEMO/sub-01/func/sub-01_task-discountFix_events.tsv" \
    --confounds "${P}_desc-confounds_timeseries.tsv" --mask "${P}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz" \
    --estimator lss --roi $ROIS --out "$OUT/extract-full"
  if /usr/bin/python3 -c 'import nibabel' 2>/dev/null; then
    measure nibabel /usr/bin/python3 -c "import nibabel as nib, numpy as np; nib.load('$BOLD').get_fdata(dtype=np.float32)"
  fi
done | awk '
  { wall[$1] += $2; rss[$1] = ($3 > rss[$1] ? $3 : rss[$1]); n[$1]++ }
  END {
    z = wall["zcat"] / n["zcat"];
    printf "| tool | wall (s, mean of %d) | × zcat | peak RSS (MB) |\n|---|---|---|---|\n", n["zcat"];
    split("zcat ddmvpa nibabel", order, " ");
    for (i = 1; i <= 3; i++) { k = order[i]; if (n[k]) printf "| %s | %.2f | %.2f | %.0f |\n", k, wall[k]/n[k], wall[k]/n[k]/z, rss[k] }
    if (n["nibabel"]) printf "\nmemory: nibabel / ddmvpa = %.1f×\n", rss["nibabel"] / rss["ddmvpa"];
  }'
