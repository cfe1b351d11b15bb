/**
 * The setup form's view of the config schema (src/core/pipeline/config.ts): every control is
 * looked up in the one field table (FIELDS) for its kind, allowed values and help text, and is
 * validated by parseConfig itself, so the form cannot drift from `ddmvpa run` and config files.
 * What lives here is presentation only: short labels and one line per option value.
 */
import { DdError } from '../../core/errors.ts';
import { defaultConfig, FIELDS, parseConfig, type Config, type FieldSpec } from '../../core/pipeline/config.ts';

const BY_PATH = new Map(FIELDS.map((f) => [f.path, f]));

export function fieldSpec(path: string): FieldSpec | undefined {
  return BY_PATH.get(path);
}

/** The schema has this field (geometry / searchlight exist only once the pipeline has them). */
export function hasField(path: string): boolean {
  return BY_PATH.has(path);
}

/** Every field of a config section (`geometry`, `searchlight`, …), in table order. */
export function sectionFields(section: string): FieldSpec[] {
  return FIELDS.filter((f) => f.path.startsWith(`${section}.`));
}

/** The field table's help text: the one explanation of a setting, shared with `ddmvpa run --help`. */
export function fieldHelp(path: string): string {
  const h = BY_PATH.get(path)?.help ?? '';
  return h ? h[0]!.toUpperCase() + h.slice(1) : '';
}

/** The `ddmvpa run` flag of a field (also its share-link key). */
export function fieldFlag(path: string): string {
  return BY_PATH.get(path)?.flag ?? path;
}

/** The allowed values of an enum field. */
export function enumValues(path: string): readonly string[] {
  const k = BY_PATH.get(path)?.kind;
  return k && k.t === 'enum' ? k.values : [];
}

export function getAt(obj: unknown, path: string): unknown {
  let node = obj;
  for (const p of path.split('.')) node = node === null || node === undefined ? undefined : (node as Record<string, unknown>)[p];
  return node;
}

export function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = obj;
  for (const p of parts.slice(0, -1)) {
    if (typeof node[p] !== 'object' || node[p] === null) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** The schema's default of a field. */
export function defaultOf(path: string): unknown {
  return getAt(defaultConfig(), path);
}

/** Short labels of the form's controls (the help line under each comes from FIELDS). */
export const LABELS: Record<string, string> = {
  'data.task': 'Task label',
  'data.space': 'Output space',
  'data.subjects': 'Subjects',
  'patterns.estimator': 'Trial estimator',
  'patterns.confounds': 'Confound regressors',
  'patterns.spike_fd_mm': 'Spike regressors (FD, mm)',
  'patterns.high_pass_s': 'High-pass period (s)',
  'patterns.slice_time_ref': 'Slice-time reference',
  'behavior.fixed_beta': 'Fixed choice-rule β',
  'decoding.targets': 'Decoding targets',
  'decoding.model.classification': 'Classifier (choice)',
  'decoding.model.regression': 'Regressor (continuous targets)',
  'decoding.C': 'C (svc / logreg)',
  'decoding.alpha': 'α (ridge)',
  'decoding.class_weight': 'Class weights',
  'decoding.cv': 'Cross-validation',
  'decoding.scaling': 'Feature scaling',
  'decoding.metric.classification': 'Metric for choice',
  'decoding.metric.regression': 'Metric for continuous targets',
  'decoding.permutations': 'Label permutations',
  'group.test': 'Group test',
  'group.permutations': 'Sign-flip permutations',
  seed: 'Random seed',
  'geometry.enabled': 'Representational geometry',
  'geometry.models': 'Model RDMs',
  'geometry.permutations': 'Geometry permutations',
  'searchlight.enabled': 'Searchlight',
  'searchlight.radius_mm': 'Searchlight radius (mm)',
  'searchlight.targets': 'Searchlight targets',
  'searchlight.permutations': 'Searchlight permutations',
};

export function labelOf(path: string): string {
  return LABELS[path] ?? path.split('.').pop()!.replace(/_/g, ' ');
}

/** One line per option value, shown under the control for the chosen value. */
export const OPTION_HELP: Record<string, Record<string, string>> = {
  'patterns.estimator': {
    lss: 'Least squares–separate (Mumford et al. 2012): each trial against all the others; stable when trials are close in time. Recommended.',
    lsa: 'Least squares–all: one regressor per trial in a single model; unbiased, but noisy when responses to successive trials overlap.',
    lag: 'No response model: the mean of the cleaned volumes acquired 4–8 s after each onset, near the peak of the BOLD response.',
  },
  'patterns.confounds': {
    auto: 'motion6 + WM + CSF with an fMRIPrep confounds file, motion6 with a motion .txt/.par file, none without one.',
    none: 'Only the cosine drift (128 s high-pass) and the intercept are removed.',
    motion6: 'The six head-motion parameters (3 translations, 3 rotations).',
    motion24: 'Motion, its derivatives and their squares (Friston 24-parameter model).',
    'motion6+wm+csf': 'Six motion parameters plus the mean white-matter and CSF signals.',
    'motion24+wm+csf': 'The 24 motion regressors plus the mean white-matter and CSF signals.',
  },
  'decoding.model.classification': {
    svc: 'Linear support-vector classifier (hinge loss): the usual choice for fMRI decoding.',
    logreg: 'L2 logistic regression: like the SVM, with calibrated class probabilities.',
  },
  'decoding.model.regression': {
    ridge: 'Linear ridge regression (L2 penalty α).',
  },
  'decoding.class_weight': {
    none: 'Every trial counts the same.',
    balanced: 'Trials weighted by 1 / class frequency, so a subject with few larger-later choices is not decoded by the majority class.',
  },
  'decoding.scaling': {
    'within-run': 'Each voxel z-scored within each run (removes run means; no labels used, so no leakage).',
    'train-fold': 'Each voxel z-scored with the training fold\'s mean and SD (scikit-learn StandardScaler in a pipeline).',
    none: 'The patterns are used as estimated.',
  },
  'decoding.metric.classification': {
    balanced_accuracy: 'Mean of the per-class hit rates: chance is 0.5 whatever the share of LL choices.',
    accuracy: 'Share of trials classified right: chance depends on the class balance.',
    roc_auc: 'Area under the ROC curve of the decision values: chance 0.5.',
  },
  'decoding.metric.regression': {
    r2: 'Coefficient of determination on held-out trials (can be negative): chance 0.',
    pearson_r: 'Correlation of predicted and true values on held-out trials: chance 0.',
  },
  'group.test': {
    t: 'One-sample t-test of the subjects\' scores against chance.',
    wilcoxon: 'Wilcoxon signed-rank test: no normality assumed.',
    sign_flip: 'Sign-flip permutation test of the mean: exact for small groups.',
  },
};

/**
 * A longer line for fields whose table help is only a name (the table's help text is still the
 * label's source for `ddmvpa run --help`; this says what the number does).
 */
export const FIELD_NOTES: Record<string, string> = {
  'data.task': 'BIDS task label of the runs to analyse (the task-<label> part of the file names).',
  'data.space': 'fMRIPrep output space preferred when a run has several (ROIs are defined in MNI space).',
  'data.subjects': 'Subject labels separated by commas (01, 02); empty = every subject found.',
  'patterns.high_pass_s': 'Cosine drift regressors remove slower fluctuations than this period (SPM default 128 s).',
  'patterns.spike_fd_mm': 'One regressor per volume with framewise displacement above this (mm); empty = none.',
  'patterns.slice_time_ref': 'Where in each TR the volume is taken to be acquired: 0.5 for fMRIPrep slice-timed data.',
  'behavior.fixed_beta': 'Hold the softmax β of the choice rule fixed (e.g. 1 on raw dollars, older practice); empty = estimate it.',
  'decoding.C': 'Inverse regularisation of the SVM / logistic regression: smaller C = stronger penalty (scikit-learn default 1).',
  'decoding.alpha': 'Ridge penalty on the weights: larger α = stronger shrinkage (scikit-learn default 1).',
  'decoding.permutations': 'Label permutations per decoding give each score its p-value (0 = none; 1000 resolves p down to 0.001).',
  'group.permutations': 'Random sign vectors of the sign-flip group test (exact enumeration when 2^n is fewer).',
  seed: 'Seed of the permutations and sign flips: the same seed gives the same numbers, here and in ddmvpa run.',
};

/** Readable name of an option value. */
export function optionLabel(path: string, value: string): string {
  if (path === 'patterns.estimator') return ({ lss: 'LSS: one model per trial', lsa: 'LSA: all trials in one model', lag: 'Lag: mean of volumes 4–8 s after onset' } as Record<string, string>)[value] ?? value;
  if (path === 'patterns.confounds' && value === 'auto') return 'Automatic';
  if (path === 'decoding.class_weight' && value === 'none') return 'none (equal)';
  return value.replace(/\+/g, ' + ');
}

/** The message of a DdError from parseConfig, without the "config " prefix (the field is named after it). */
function messageOf(e: unknown): string {
  const m = e instanceof DdError ? e.message : String((e as Error)?.message ?? e);
  return m.replace(/^config /, '');
}

/** Validates one field's value alone, through parseConfig: null when valid, else the message (naming the field). */
export function fieldError(path: string, value: unknown): string | null {
  const raw: Record<string, unknown> = {};
  setAt(raw, path, value);
  try {
    parseConfig(raw);
    return null;
  } catch (e) {
    return messageOf(e);
  }
}

export interface FormCheck {
  /** The validated config, or null when a field is invalid. */
  config: Config | null;
  /** Message per field path (a conflict is shown under the first field it names). */
  errors: Record<string, string>;
}

/** Validates a whole draft config: each field alone (inline messages), then their combination. */
export function checkDraft(draft: unknown): FormCheck {
  const errors: Record<string, string> = {};
  for (const f of FIELDS) {
    const v = getAt(draft, f.path);
    if (v === undefined) continue;
    const err = fieldError(f.path, v);
    if (err) errors[f.path] = err;
  }
  if (Object.keys(errors).length) return { config: null, errors };
  try {
    return { config: parseConfig(draft), errors };
  } catch (e) {
    const msg = messageOf(e);
    // Under the field named first in the message (e.g. decoding.class_weight … decoding.targets).
    const at = (path: string) => msg.search(new RegExp(`${path.replace(/\./g, '\\.')}(?![\\w.])`));
    const named = FIELDS.map((f) => ({ path: f.path, i: at(f.path) })).filter((x) => x.i >= 0).sort((x, y) => x.i - y.i)[0];
    errors[named?.path ?? 'rois'] = msg;
    return { config: null, errors };
  }
}
