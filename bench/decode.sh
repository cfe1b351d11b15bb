#!/usr/bin/env bash
# Issue 3 benchmark: 120 trials × 2000 voxels, 5 contiguous folds (KFold(5) = blocked:5:0),
# 1000 label permutations — `ddmvpa decode` vs scikit-learn 1.2.1's permutation_test_score with
#   svc:    make_pipeline(StandardScaler(), SVC(kernel="linear"))
#   logreg: make_pipeline(StandardScaler(), LogisticRegression())
#   ridge:  make_pipeline(StandardScaler(), Ridge())
# side by side in one run, and a check that the unpermuted fold predictions agree.
# ddmvpa scales within the training fold here (--scaling train), exactly like the pipeline.
# The bundled CLI runs through bench/decode-cli.mjs (never the tsx fallback of bin/ddmvpa.mjs).
# ddmvpa runs with its default --jobs (all cores: this thread + worker threads for the
# permutations) and once more with --jobs 1 (one thread; same scores and p-values).
# --before DIR also times another checkout of ddmvpa (built: npm run build:wasm && npm run build:cli),
# e.g. `git archive <commit> | tar -x -C DIR`, in the same run.
# Usage: bash bench/decode.sh [--permutations N] [--before DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
N=1000
BEFORE=
while [ $# -gt 0 ]; do
  case "$1" in
    --permutations) N=$2; shift 2 ;;
    --before) BEFORE=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
OUT=bench/out/decode
mkdir -p "$OUT"
npm run --silent build:cli
/usr/bin/python3 - "$OUT" <<'PY'
import sys, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(0)
n, p = 120, 2000
y = (np.arange(n) % 2).astype(int); rng.shuffle(y)
X = rng.normal(size=(n, p)).astype(np.float32)
X[:, :50] += 0.35 * (2 * y[:, None] - 1)          # a weak multivariate signal
v = X[:, :50].mean(1) + 0.5 * rng.normal(size=n)   # a continuous target
np.save(f'{out}/X.npy', X)
with open(f'{out}/y.tsv', 'w') as f:
    f.write('onset\tchoice\tvalue\n')
    for i in range(n): f.write(f'{i * 6.0}\t{y[i]}\t{v[i]:.6f}\n')
PY
echo "| model | metric | before (s) | ddmvpa (s) | ddmvpa --jobs 1 (s) | scikit-learn (s) | speed-up (before → now) | score ddmvpa / sklearn | p ddmvpa / sklearn | unpermuted fold predictions |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for spec in "svc choice balanced_accuracy" "logreg choice balanced_accuracy" "ridge value r2"; do
  set -- $spec
  model=$1; target=$2; metric=$3
  args=(decode --x "$OUT/X.npy" --y "$OUT/y.tsv" --target "$target" --model "$model"
    --cv blocked:5:0 --scaling train-fold --metric "$metric" --permutations "$N" --seed 0 --json)
  t0=$(date +%s.%N)
  ours=$(node bench/decode-cli.mjs . "${args[@]}" --decision-out "$OUT/decision_$model.txt" 2>/dev/null)
  t1=$(date +%s.%N)
  one=$(node bench/decode-cli.mjs . "${args[@]}" --jobs 1 2>/dev/null)
  t2=$(date +%s.%N)
  before=null
  if [ -n "$BEFORE" ]; then
    b0=$(date +%s.%N)
    node bench/decode-cli.mjs "$BEFORE" "${args[@]}" >/dev/null 2>&1
    b1=$(date +%s.%N)
    before=$(python3 -c "print($b1 - $b0)")
  fi
  ref=$(/usr/bin/python3 - "$OUT" "$model" "$target" "$metric" "$N" <<'PY'
import sys, time, json, numpy as np, csv
from sklearn.model_selection import KFold, permutation_test_score, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from sklearn.linear_model import LogisticRegression, Ridge
out, model, target, metric, N = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
X = np.load(f'{out}/X.npy').astype(np.float64)
rows = list(csv.DictReader(open(f'{out}/y.tsv'), delimiter='\t'))
y = np.array([float(r[target]) for r in rows]); y = y.astype(int) if model != 'ridge' else y
est = {'svc': SVC(kernel='linear'), 'logreg': LogisticRegression(), 'ridge': Ridge()}[model]
pipe = make_pipeline(StandardScaler(), est)
t0 = time.perf_counter()
score, null, p = permutation_test_score(pipe, X, y, cv=KFold(5), n_permutations=N, scoring=metric, random_state=0)
sec = time.perf_counter() - t0
pred = cross_val_predict(pipe, X, y, cv=KFold(5))
print(json.dumps({'score': score, 'p': p, 'seconds': sec, 'pred': pred.tolist()}))
PY
)
  python3 - "$ours" "$ref" "$t0" "$t1" "$model" "$metric" "$one" "$t2" "$OUT/decision_$model.txt" "$before" <<'PY'
import sys, json
o, r, one = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[7])
wall = float(sys.argv[4]) - float(sys.argv[3])
wall1 = float(sys.argv[8]) - float(sys.argv[4])
assert one['score'] == o['score'] and one['p_value'] == o['p_value'], 'ddmvpa --jobs 1 disagrees with the default --jobs'
dec = [float(l) for l in open(sys.argv[9])]
pred = r['pred']
if sys.argv[5] == 'ridge':
    d = max(abs(a - b) for a, b in zip(dec, pred))
    agree = f"max \\|Δ\\| {d:.1e}"
else:
    same = sum((a > 0) == (b == 1) for a, b in zip(dec, pred))
    agree = f"{same}/{len(pred)} identical"
before = json.loads(sys.argv[10])
bcol, bx = ('–', '') if before is None else (f"{before:.2f}", f"{r['seconds'] / before:.0f}× → ")
print(f"| {sys.argv[5]} | {sys.argv[6]} | {bcol} | {wall:.2f} | {wall1:.2f} | {r['seconds']:.1f} | {bx}**{r['seconds'] / wall:.0f}×** | {o['score']:.4f} / {r['score']:.4f} | {o['p_value']:.3f} / {r['p']:.3f} | {agree} |")
PY
done
