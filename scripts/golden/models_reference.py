#!/usr/bin/python3
"""Golden fixtures for src/core/mvpa/models (svc, logreg, ridge in the dual).

References: Debian scikit-learn 1.2.1 (the estimators the app promises to match) plus an
independent primal Newton solver for L2 logistic regression (NumPy, (p+1) x (p+1) Hessian,
gradient norm < 1e-11) to compare coefficients at the exact optimum (scikit-learn's lbfgs
stops at tol 1e-4).

  SVC(kernel="linear", C)              predictions, decision_function, n_iter_, intercept_,
                                       dual coefficients (dual_coef_ scattered to training order)
  LogisticRegression(C)                predictions, decision_function, n_iter_
  primal Newton logistic               coef, intercept, decision at the optimum
  Ridge(alpha)                         coef_, intercept_, predictions

Writes
  tests/fixtures/golden/models_haxby.json   Haxby 2001 sub001 (tests/fixtures/haxby): 530 mask
      voxels in NIfTI x-fastest order, every voxel z-scored within run over all 121 volumes of
      the run (mean, SD ddof 0), face (label 1 -> class 0) vs house (label 2 -> class 1) single
      volumes (216), leave-one-run-out over the 12 runs; plus an imbalanced subset (all faces,
      the first 3 house volumes of each house block: 108 vs 36) with class_weight='balanced'.
  tests/fixtures/golden/models_small.json   hand-made cases (separable / overlapping 2-D points,
      duplicated samples, n = 2, identical samples with opposite labels, rank-deficient tall data,
      wide random data, class order, several C / alpha, balanced weights).

Run from the repository root:  /usr/bin/python3 scripts/golden/models_reference.py
"""
import json
import os
import warnings

import nibabel as nib
import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import LeaveOneGroupOut
from sklearn.svm import SVC, LinearSVC

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HAX = os.path.join(ROOT, 'tests/fixtures/haxby')
OUT = os.path.join(ROOT, 'tests/fixtures/golden')
TR = 2.5
RIDGE_COEF_FOLDS = 12      # ridge on the 0/1 labels: coef_ for every fold
EXTRA_COEF_FOLDS = 3       # logistic coef and the time-target ridge: the first 3 folds


def r(x, digits=15):
    """Floats for JSON at ~15 significant digits (keeps the files small, far below the tolerances)."""
    a = np.asarray(x, dtype=np.float64)
    return [float('%.*g' % (digits, v)) for v in a.ravel()] if a.ndim else float('%.*g' % (digits, a))


# --------------------------------------------------------------------------- references
def logistic_newton(X, y01, C=1.0, sample_weight=None, tol=1e-11, max_iter=200):
    """Exact L2 logistic regression, unpenalised intercept: min C sum s_i log(1+exp(-y_i f_i)) + |w|^2/2.

    Primal Newton on (w, b) with backtracking; independent of the dual solver under test.
    """
    n, p = X.shape
    ys = np.where(y01 == 1, 1.0, -1.0)
    c = C * (np.ones(n) if sample_weight is None else np.asarray(sample_weight, float))
    Z = np.hstack([X, np.ones((n, 1))])
    theta = np.zeros(p + 1)

    def obj(th):
        m = ys * (Z @ th)
        return np.sum(c * np.logaddexp(0, -m)) + 0.5 * th[:p] @ th[:p]

    g0 = None
    for it in range(max_iter):
        m = ys * (Z @ theta)
        sig_neg = 0.5 * (1 - np.tanh(m / 2))          # sigma(-m)
        g = Z.T @ (-c * ys * sig_neg)
        g[:p] += theta[:p]
        gn = np.linalg.norm(g)
        g0 = gn if g0 is None else g0
        if gn <= tol * g0:
            break
        dd = c * sig_neg * (1 - sig_neg)
        H = (Z * dd[:, None]).T @ Z
        H[:p, :p] += np.eye(p)
        step = -np.linalg.solve(H, g)
        t, f0, slope = 1.0, obj(theta), g @ step
        while obj(theta + t * step) > f0 + 1e-4 * t * slope + 1e-15 * abs(f0) and t > 1e-12:
            t /= 2
        theta = theta + t * step
    else:
        raise RuntimeError('logistic_newton did not converge')
    return theta[:p], theta[p], it


def dual_full(svc, n_train):
    """SVC.dual_coef_ (sign already flipped by scikit-learn for binary) scattered to training order."""
    d = np.zeros(n_train)
    d[svc.support_] = svc.dual_coef_[0]
    return d


def fit_all(Xtr, ytr, Xte, C=1.0, alpha=1.0, class_weight=None, y_reg=None, ridge=True, want_coef=True):
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter('error')             # a ConvergenceWarning would make the reference unusable
        svc = SVC(kernel='linear', C=C, class_weight=class_weight).fit(Xtr, ytr)
        lr = LogisticRegression(C=C, class_weight=class_weight).fit(Xtr, ytr)
    out['svc'] = {
        'pred': [int(v) for v in svc.predict(Xte)],
        'decision': r(svc.decision_function(Xte)),
        'decision_train': r(svc.decision_function(Xtr)),
        'intercept': r(svc.intercept_[0]),
        'n_iter': int(svc.n_iter_[0]),
        'n_support': int(svc.support_.size),
        'dual': r(dual_full(svc, len(ytr)), 12),
    }
    sw = None
    if class_weight == 'balanced':
        n0, n1 = np.sum(ytr == 0), np.sum(ytr == 1)
        sw = np.where(ytr == 1, len(ytr) / (2 * n1), len(ytr) / (2 * n0))
    w, b, it = logistic_newton(Xtr, ytr, C=C, sample_weight=sw)
    out['logreg'] = {
        'pred': [int(v) for v in lr.predict(Xte)],
        'decision': r(lr.decision_function(Xte)),
        'n_iter': int(lr.n_iter_[0]),
        'intercept': r(lr.intercept_[0]),
        'exact': {'decision': r(Xte @ w + b), 'intercept': r(b), 'newton_iter': int(it)},
    }
    if want_coef:
        out['logreg']['coef'] = r(lr.coef_[0], 12)
        out['logreg']['exact']['coef'] = r(w, 12)
    if ridge:
        target = ytr.astype(float) if y_reg is None else y_reg
        rg = Ridge(alpha=alpha).fit(Xtr, target)
        out['ridge'] = {'intercept': r(rg.intercept_), 'pred': r(rg.predict(Xte))}
        if want_coef:
            out['ridge']['coef'] = r(rg.coef_, 12)
    return out


# --------------------------------------------------------------------------- Haxby
def haxby():
    bold = np.asarray(nib.load(os.path.join(HAX, 'bold.nii.gz')).dataobj).astype(np.float64)
    mask = np.asarray(nib.load(os.path.join(HAX, 'mask.nii.gz')).dataobj)
    T = bold.shape[3]
    idx = np.flatnonzero(mask.ravel(order='F') != 0)                  # NIfTI x-fastest voxel order
    X = bold.reshape(-1, T, order='F')[idx].T                          # T x 530
    att = np.loadtxt(os.path.join(HAX, 'attributes.txt'), dtype=int)
    lab, run = att[:, 0], att[:, 1]
    Xz = np.empty_like(X)
    for g in np.unique(run):
        s = run == g
        sd = X[s].std(0)
        assert np.all(sd > 0)
        Xz[s] = (X[s] - X[s].mean(0)) / sd
    vol_in_run = np.zeros(T, dtype=int)
    for g in np.unique(run):
        vol_in_run[run == g] = np.arange(np.sum(run == g))
    return Xz, lab, run, vol_in_run, idx


def loro(Xz, lab, run, vol_in_run, sel, class_weight=None, ridge=True):
    Xs, ys, gs, ts = Xz[sel], (lab[sel] == 2).astype(int), run[sel], vol_in_run[sel] * TR
    folds = []
    for k, (tr, te) in enumerate(LeaveOneGroupOut().split(Xs, ys, gs)):
        want = k < EXTRA_COEF_FOLDS
        f = fit_all(Xs[tr], ys[tr], Xs[te], class_weight=class_weight, ridge=ridge, want_coef=want)
        f['test_run'] = int(gs[te][0])
        f['n_train'] = int(tr.size)
        f['accuracy'] = {'svc': float(np.mean(np.array(f['svc']['pred']) == ys[te])),
                         'logreg': float(np.mean(np.array(f['logreg']['pred']) == ys[te]))}
        if ridge:
            rg = Ridge().fit(Xs[tr], ys[tr].astype(float))
            f['ridge']['coef'] = r(rg.coef_, 12)
            if want:
                rt = Ridge().fit(Xs[tr], ts[tr])
                f['ridge_time'] = {'coef': r(rt.coef_, 12), 'intercept': r(rt.intercept_), 'pred': r(rt.predict(Xs[te]))}
        # LinearSVC (the README's reference classifier) for the record only.
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ls = LinearSVC(C=1, class_weight=class_weight).fit(Xs[tr], ys[tr])
        f['accuracy']['linear_svc'] = float(np.mean(ls.predict(Xs[te]) == ys[te]))
        folds.append(f)
        print(f"  fold {k}: svc iter {f['svc']['n_iter']} nSV {f['svc']['n_support']}, lr iter {f['logreg']['n_iter']}, "
              f"acc svc {f['accuracy']['svc']:.3f} lr {f['accuracy']['logreg']:.3f}")
    mean = {m: float(np.mean([f['accuracy'][m] for f in folds])) for m in ('svc', 'logreg', 'linear_svc')}
    return folds, mean


def main_haxby():
    Xz, lab, run, vol_in_run, idx = haxby()
    sel = (lab == 1) | (lab == 2)
    print('face vs house, 216 samples')
    folds, mean = loro(Xz, lab, run, vol_in_run, sel)
    # Imbalanced subset: all faces, the first 3 volumes of every house block.
    keep = np.zeros(lab.size, dtype=bool)
    keep[lab == 1] = True
    for i in np.flatnonzero(lab == 2):
        if i < 3 or not np.all(lab[i - 3:i] == 2):   # within the first 3 volumes of a house block
            keep[i] = True
    assert keep.sum() == 108 + 36, keep.sum()
    print('imbalanced subset (108 faces, 36 houses), class_weight=balanced')
    bfolds, bmean = loro(Xz, lab, run, vol_in_run, keep, class_weight='balanced', ridge=False)
    doc = {
        'description': 'scripts/golden/models_reference.py: Haxby 2001 sub001 face (class 0) vs house (class 1), '
                       '530 mask voxels (NIfTI x-fastest), z-scored within run over all 121 volumes (ddof 0), '
                       'leave-one-run-out. svc = SVC(kernel=linear, C=1); logreg = LogisticRegression(C=1) (lbfgs) '
                       'and its exact optimum by primal Newton; ridge = Ridge(alpha=1) on the 0/1 labels '
                       '(ridge_time: on the time of the volume within its run, s).',
        'sklearn': sklearn.__version__,
        'n_voxels': int(idx.size),
        'mask_indices': [int(v) for v in idx],
        'labels': {'face': 1, 'house': 2, 'class1': 'house'},
        'tr': TR,
        'face_house': {'n_samples': int(sel.sum()), 'mean_accuracy': mean, 'folds': folds},
        'balanced': {'n_samples': int(keep.sum()), 'samples': [int(v) for v in np.flatnonzero(keep)],
                     'class_weight': 'balanced', 'mean_accuracy': bmean, 'folds': bfolds},
    }
    with open(os.path.join(OUT, 'models_haxby.json'), 'w') as fh:
        json.dump(doc, fh, separators=(',', ':'))
    print('mean accuracy', mean, 'balanced', bmean)


# --------------------------------------------------------------------------- small cases
def small_cases():
    rng = np.random.default_rng(20260701)
    cases = []

    data = {}

    def add(name, X, y, Xte, data_from=None, **kw):
        # Random data are rounded to 3 decimals first, so the stored numbers are exact and short.
        X = np.round(np.asarray(X, float), 3)
        Xte = np.round(np.asarray(Xte, float), 3)
        y = np.asarray(y, int)
        y_reg = kw.pop('y_reg', None)
        if y_reg is not None:
            y_reg = np.round(y_reg, 3)
        res = fit_all(X, y, Xte, y_reg=y_reg, **kw)
        case = {'name': name, 'C': kw.get('C', 1.0), 'alpha': kw.get('alpha', 1.0), 'class_weight': kw.get('class_weight')}
        if data_from is None:
            case.update({'X': X.tolist(), 'y': y.tolist(), 'Xtest': Xte.tolist()})
            if y_reg is not None:
                case['y_reg'] = y_reg.tolist()
            data[name] = (X, y, Xte, y_reg)
        else:
            d = data[data_from]
            assert np.array_equal(d[0], X) and np.array_equal(d[1], y) and np.array_equal(d[2], Xte)
            case['data_from'] = data_from
        case.update(res)
        cases.append(case)
        print(f"  {name}: svc iter {res['svc']['n_iter']} nSV {res['svc']['n_support']}, lr iter {res['logreg']['n_iter']}")

    grid = np.array([[a, b] for a in (-1.0, 0.5, 1.5, 2.5, 5.0) for b in (-1.0, 1.0, 2.0, 4.5)])
    add('separable2d', [[0, 0], [1, 0], [0, 1], [3, 3], [4, 3], [3, 4]], [0, 0, 0, 1, 1, 1], grid)
    add('overlap2d', [[0, 0], [1, 1], [2, 0], [3, 3], [0, 2], [4, 4]], [0, 1, 0, 1, 0, 1], grid)
    add('duplicates', [[1, 2], [1, 2], [1, 2], [0, 1], [2, 0], [2, 0], [3, 1], [0, 1]], [0, 0, 1, 1, 0, 1, 1, 1], grid)
    add('n2', [[1, 0], [0, 1]], [0, 1], grid)
    add('n2_identical', [[1, 2], [1, 2]], [1, 0], grid)
    add('class1_first', [[3, 3], [4, 3], [0, 0], [3, 4], [1, 0], [0, 1], [2, 2]], [1, 1, 0, 1, 0, 0, 1], grid)
    # Tall and rank deficient: 60 samples, 3 features with x3 = x1 + x2 (K has rank 2).
    X = np.round(rng.normal(size=(60, 2)), 3)
    X = np.hstack([X, X[:, :1] + X[:, 1:2]])
    y = (X[:, 0] - 0.5 * X[:, 1] + rng.normal(scale=0.8, size=60) > 0).astype(int)
    Xte = np.round(rng.normal(size=(15, 2)), 3)
    Xte = np.hstack([Xte, Xte[:, :1] + Xte[:, 1:2]])
    y_reg = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=60)
    add('tall_rank2', X, y, Xte, y_reg=y_reg)
    add('tall_rank2_C10_alpha0.1', X, y, Xte, C=10.0, alpha=0.1, y_reg=y_reg, data_from='tall_rank2')
    # Wide: 40 samples, 300 features, random labels (every sample a support vector).
    X = rng.normal(size=(40, 300))
    y = np.array([0, 1] * 20)
    rng.shuffle(y)
    Xte = rng.normal(size=(10, 300))
    add('wide40x300', X, y, Xte)
    add('wide40x300_C0.001', X, y, Xte, C=0.001, alpha=10.0, data_from='wide40x300')
    # Moderate overlap with many bounded SVs (exercises shrinking): 120 x 10.
    X = rng.normal(size=(120, 10))
    y = (X[:, 0] + X[:, 1] + rng.normal(scale=1.5, size=120) > 0).astype(int)
    Xte = rng.normal(size=(20, 10))
    add('overlap120x10', X, y, Xte)
    add('overlap120x10_C100', X, y, Xte, C=100.0, data_from='overlap120x10')
    # Imbalanced 30 vs 10, unweighted and balanced.
    X = rng.normal(size=(40, 5))
    y = np.array([0] * 30 + [1] * 10)
    X[y == 1] += 0.8
    perm = rng.permutation(40)
    X, y = X[perm], y[perm]
    Xte = rng.normal(size=(12, 5)) + 0.4
    add('imbalanced', X, y, Xte)
    add('imbalanced_balanced', X, y, Xte, class_weight='balanced', data_from='imbalanced')
    add('imbalanced_balanced_C0.05', X, y, Xte, C=0.05, class_weight='balanced', data_from='imbalanced')
    with open(os.path.join(OUT, 'models_small.json'), 'w') as fh:
        json.dump({'description': 'scripts/golden/models_reference.py: small hand-made cases for svc / logreg / ridge',
                   'sklearn': sklearn.__version__, 'cases': cases}, fh, separators=(',', ':'))


if __name__ == '__main__':
    print('small cases')
    small_cases()
    main_haxby()
