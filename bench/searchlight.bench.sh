#!/usr/bin/env bash
# Whole-brain searchlight benchmark (issue 7): full-size demo subject (100×100×64 at 2.2 mm,
# ~167k brain voxels, 120 trials), r = 6 mm, svc, blocked:5:12 (one run), balanced accuracy, with
# --jobs 2; wall time and peak RSS by /usr/bin/time; the map checked against truth.json
# (bench/searchlight-check.ts); then the per-sphere scikit-learn loop on 200 spheres
# (bench/searchlight_sklearn.py: what nilearn's SearchLight does) and the extrapolated ratio.
# Usage: bash bench/searchlight.bench.sh [JOBS]   (paste the printed lines into bench/RESULTS.md)
#   SL_OUT=dir: the inputs (dir/demo, dir/extract) are there (made when missing; default bench/out/sl);
#   SL_RES=dir: where the map and the JSON go (default: SL_OUT).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${1:-2}
OUT=${SL_OUT:-bench/out/sl}
RES=${SL_RES:-$OUT}
DEMO=$OUT/demo
mkdir -p "$OUT" "$RES"
node bin/ddmvpa.mjs demo --out "$DEMO" --size full --subjects 1 --seed 1 --if-missing >&2
P=$DEMO/derivatives/fmriprep/sub-01/func/sub-01_task-discountFix
if [ ! -f "$OUT/extract/brain.npy" ]; then
  node bin/ddmvpa.mjs extract --bold ${P}_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz \
    --events $DEMO/sub-01/func/sub-01_task-discountFix_events.tsv --confounds ${P}_desc-confounds_timeseries.tsv \
    --mask ${P}_space-MNI152NLin2009cAsym_desc-brain_mask.nii.gz --roi brain --out "$OUT/extract" >&2
fi
E=$OUT/extract
LOG=$(mktemp)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, node $(node --version)"
/usr/bin/time -v node bin/ddmvpa.mjs searchlight --x $E/brain.npy --mask $E/brain_mask.nii.gz --y $E/trials.tsv \
  --target choice --radius 6 --model svc --jobs "$JOBS" --out $RES/choice_sl.nii.gz --json > $RES/searchlight.json 2> "$LOG"
WALL=$(grep 'Elapsed (wall clock)' "$LOG" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
RSS=$(grep 'Maximum resident set size' "$LOG" | awk '{print $NF/1024}')
echo "ddmvpa searchlight: wall ${WALL} s, user+sys $(grep -E 'User time|System time' "$LOG" | awk '{s+=$NF} END {print s}') s, peak RSS ${RSS} MB; $(cat $RES/searchlight.json)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "check: $(node --import tsx bench/searchlight-check.ts $RES/choice_sl.nii.gz $DEMO/truth.json 6)"
SK=$(/usr/bin/python3 bench/searchlight_sklearn.py "$E" $RES/choice_sl.nii.gz 200 6)
echo "scikit-learn per sphere: $SK"
python3 -c "import json,sys; s=json.loads(sys.argv[1]); print('ratio (sklearn extrapolated / ddmvpa wall):', round(s['extrapolated_seconds']/float(sys.argv[2]),2))" "$SK" "$WALL"
rm -f "$LOG"
