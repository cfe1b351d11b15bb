/**
 * The one analysis config (ARCHITECTURE.md "Config"): a versioned schema, validated once, with
 * the defaults of SCIENCE.md. The app's form, `ddmvpa run` flags, config files and share links
 * all map onto it through one field table (FIELDS): no setting exists in two places.
 *
 *   parseConfig(json)            → Config (defaults filled; unknown / bad / contradictory → DdError)
 *   applyFlagOverrides(raw, get) → raw config with CLI flag values set
 *   toSearchParams / fromSearchParams   share links (only non-default values; exact round trip)
 *   configHash(config)           SHA-256 of the canonical JSON
 *
 * Errors: CONFIG_UNKNOWN_FIELD (names the field and the allowed ones), CONFIG_BAD_VALUE (names the
 * field, what was given and the allowed values), CONFIG_CONFLICT (names both fields),
 * CONFIG_UNSUPPORTED_VERSION.
 */
import { DdError } from '../errors.ts';
import { CONFOUND_PRESETS, type ConfoundPreset } from '../bids/confounds.ts';
import { TRIAL_VARIABLE_NAMES } from '../behavior/trial-variables.ts';
import type { Estimator } from '../design/index.ts';
import { BUILTIN_ROI_NAMES, parseRoiSpec } from '../roi/index.ts';
import { CLASSIFICATION_METRICS, REGRESSION_METRICS, type MetricName } from '../mvpa/metrics.ts';
import { SCALINGS, type Scaling } from '../mvpa/scaling.ts';
import { defaultCv, formatCv, parseCv } from '../mvpa/splitters.ts';
import type { ModelName } from '../mvpa/model.ts';
import { canonicalJson, hashJson } from '../cache/canonical.ts';

export const CONFIG_SCHEMA_VERSION = 1;

/** The ROI name meaning the whole brain mask (fMRIPrep's, else computed from the data). */
export const WHOLE_BRAIN_ROI = 'brain';

export type GroupTest = 't' | 'wilcoxon' | 'sign_flip';
export const GROUP_TESTS: readonly GroupTest[] = ['t', 'wilcoxon', 'sign_flip'];
export const ESTIMATORS: readonly Estimator[] = ['lss', 'lsa', 'lag'];
export const CLASSIFIERS: readonly ModelName[] = ['svc', 'logreg'];
export const REGRESSORS: readonly ModelName[] = ['ridge'];
/** Decoding targets: the trial variables of SCIENCE.md; `choice` is the classification target. */
export const TARGETS: readonly string[] = TRIAL_VARIABLE_NAMES;
export const CLASSIFICATION_TARGETS: readonly string[] = ['choice'];
/**
 * Model RDMs of the geometry stage: a trial variable (categorical for choice, |difference| for the
 * others); `delay` is the larger-later delay (later_delay).
 */
export const GEOMETRY_MODELS: readonly string[] = ['choice', 'sv_diff', 'delay', ...TRIAL_VARIABLE_NAMES.filter((v) => v !== 'choice' && v !== 'sv_diff')];

export interface Config {
  schema_version: 1;
  data: {
    /** BIDS task label. */
    task: string;
    /** Preferred fMRIPrep output space. */
    space: string;
    /** Subject labels without `sub-`; null = every subject found. */
    subjects: string[] | null;
  };
  /** ROI specs: built-in names, NAME=mask.nii.gz, NAME=atlas.nii.gz:L+L, NAME=sphere:X,Y,Z,R, `brain`. */
  rois: string[];
  patterns: {
    estimator: Estimator;
    confounds: ConfoundPreset;
    /** Spike regressors for framewise displacement above this (mm); null = none. */
    spike_fd_mm: number | null;
    high_pass_s: number;
    /** Slice-time reference as a fraction of the TR. */
    slice_time_ref: number;
  };
  behavior: {
    /** Hold β fixed (older practice: 1 on raw dollars); null = estimate β. */
    fixed_beta: number | null;
  };
  decoding: {
    targets: string[];
    model: { classification: ModelName; regression: ModelName };
    /** svc / logreg inverse regularisation. */
    C: number;
    /** ridge penalty. */
    alpha: number;
    class_weight: 'balanced' | null;
    /** `auto` (loro with ≥ 2 runs, else blocked:5:12), `loro`, `blocked:K:GAP_S`, `kfold:K`. */
    cv: string;
    scaling: Scaling;
    metric: { classification: MetricName; regression: MetricName };
    permutations: number;
  };
  /** Representational geometry of every ROI (RDM, RSA, PCA, MDS, within/between ratio). */
  geometry: {
    enabled: boolean;
    /** Model RDMs from trial variables (GEOMETRY_MODELS). */
    models: string[];
    /** RSA and distance-ratio label permutations. */
    permutations: number;
  };
  /** Whole-brain searchlight maps (per subject, and the group t map). */
  searchlight: {
    enabled: boolean;
    radius_mm: number;
    /** Decoding targets mapped (model, metric, C / alpha, CV and scaling as for ROI decoding). */
    targets: string[];
    /** Per-voxel label permutations for a p map (0: none). */
    permutations: number;
  };
  group: {
    /** The test behind the group p_value / q_value (all three are reported). */
    test: GroupTest;
    /** Random sign vectors of the sign-flip test (exact enumeration when 2^n is fewer). */
    permutations: number;
  };
  seed: number;
}

export function defaultConfig(): Config {
  return {
    schema_version: 1,
    data: { task: 'discountFix', space: 'MNI152NLin2009cAsym', subjects: null },
    rois: [...BUILTIN_ROI_NAMES],
    patterns: { estimator: 'lss', confounds: 'motion6+wm+csf', spike_fd_mm: null, high_pass_s: 128, slice_time_ref: 0.5 },
    behavior: { fixed_beta: null },
    decoding: {
      targets: ['choice', 'sv_diff'],
      model: { classification: 'svc', regression: 'ridge' },
      C: 1, alpha: 1, class_weight: null, cv: 'auto', scaling: 'within-run',
      metric: { classification: 'balanced_accuracy', regression: 'r2' },
      permutations: 1000,
    },
    geometry: { enabled: true, models: ['choice', 'sv_diff', 'delay'], permutations: 1000 },
    searchlight: { enabled: false, radius_mm: 6, targets: ['choice'], permutations: 0 },
    group: { test: 't', permutations: 10000 },
    seed: 0,
  };
}

/** Kind of a decoding target. */
export function targetKind(target: string): 'classification' | 'regression' {
  return CLASSIFICATION_TARGETS.includes(target) ? 'classification' : 'regression';
}

// ---------------------------------------------------------------------------------------------
// The field table: every leaf of Config, its flag / query-string name and its value syntax.

type Kind =
  | { t: 'string'; pattern?: RegExp; hint?: string }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'bool' }
  | { t: 'number'; min?: number; max?: number; minExclusive?: boolean; integer?: boolean; nullable?: boolean }
  | { t: 'list'; item: (v: string, field: string) => string; unique: 'value' | 'roi'; nullable?: boolean; commaSplit: boolean };

export interface FieldSpec {
  /** Dotted path in Config. */
  path: string;
  /** CLI flag (without --) and query-string key. */
  flag: string;
  kind: Kind;
  help: string;
}

const LABEL_RE = /^[A-Za-z0-9]+$/;

function checkTarget(v: string, field: string): string {
  if (!TARGETS.includes(v)) throw badValue(field, v, TARGETS);
  return v;
}

function checkGeometryModel(v: string, field: string): string {
  if (!GEOMETRY_MODELS.includes(v)) throw badValue(field, v, GEOMETRY_MODELS);
  return v;
}

function checkRoi(v: string, field: string): string {
  const s = v.trim();
  if (s === WHOLE_BRAIN_ROI) return s;
  try {
    return parseRoiSpec(s).spec;
  } catch (e) {
    throw new DdError('CONFIG_BAD_VALUE', `config ${field}: ${(e as Error).message} (or '${WHOLE_BRAIN_ROI}' for the whole brain mask)`, { cause: e });
  }
}

function checkSubject(v: string, field: string): string {
  const s = v.startsWith('sub-') ? v.slice(4) : v;
  if (!LABEL_RE.test(s)) throw new DdError('CONFIG_BAD_VALUE', `config ${field}: "${v}" is not a BIDS subject label (letters and digits, with or without sub-).`);
  return s;
}

function roiName(spec: string): string {
  return spec === WHOLE_BRAIN_ROI ? spec : parseRoiSpec(spec).name;
}

function checkCv(v: string, field: string): string {
  if (v === 'auto') return v;
  try {
    return formatCv(parseCv(v));
  } catch (e) {
    throw new DdError('CONFIG_BAD_VALUE', `config ${field}: "${v}" is not a CV scheme; use auto, loro, blocked:K[:GAP_S] (e.g. blocked:5:12) or kfold:K.`, { cause: e });
  }
}

export const FIELDS: readonly FieldSpec[] = [
  { path: 'data.task', flag: 'task', kind: { t: 'string', pattern: LABEL_RE, hint: 'a BIDS task label' }, help: 'BIDS task label' },
  { path: 'data.space', flag: 'space', kind: { t: 'string', pattern: LABEL_RE, hint: 'an fMRIPrep space label' }, help: 'preferred fMRIPrep output space' },
  { path: 'data.subjects', flag: 'subjects', kind: { t: 'list', item: checkSubject, unique: 'value', nullable: true, commaSplit: true }, help: 'subjects to analyse (default all)' },
  { path: 'rois', flag: 'roi', kind: { t: 'list', item: checkRoi, unique: 'roi', commaSplit: false }, help: 'ROI specs (default the 10 built-ins)' },
  { path: 'patterns.estimator', flag: 'estimator', kind: { t: 'enum', values: ESTIMATORS }, help: 'trial estimator' },
  { path: 'patterns.confounds', flag: 'preset', kind: { t: 'enum', values: CONFOUND_PRESETS }, help: 'confound preset' },
  { path: 'patterns.spike_fd_mm', flag: 'spike-fd', kind: { t: 'number', min: 0, minExclusive: true, nullable: true }, help: 'spike regressors above this FD (mm)' },
  { path: 'patterns.high_pass_s', flag: 'high-pass', kind: { t: 'number', min: 0, minExclusive: true }, help: 'high-pass period (s)' },
  { path: 'patterns.slice_time_ref', flag: 'slice-time-ref', kind: { t: 'number', min: 0, max: 1 }, help: 'slice-time reference (fraction of TR)' },
  { path: 'behavior.fixed_beta', flag: 'fixed-beta', kind: { t: 'number', min: 0, minExclusive: true, nullable: true }, help: 'hold the choice-rule β fixed' },
  { path: 'decoding.targets', flag: 'target', kind: { t: 'list', item: checkTarget, unique: 'value', commaSplit: true }, help: 'decoding targets' },
  { path: 'decoding.model.classification', flag: 'classifier', kind: { t: 'enum', values: CLASSIFIERS }, help: 'model for choice' },
  { path: 'decoding.model.regression', flag: 'regressor', kind: { t: 'enum', values: REGRESSORS }, help: 'model for continuous targets' },
  { path: 'decoding.C', flag: 'C', kind: { t: 'number', min: 0, minExclusive: true }, help: 'svc / logreg C' },
  { path: 'decoding.alpha', flag: 'alpha', kind: { t: 'number', min: 0, minExclusive: true }, help: 'ridge alpha' },
  { path: 'decoding.class_weight', flag: 'class-weight', kind: { t: 'enum', values: ['balanced', 'none'] }, help: 'class weights' },
  { path: 'decoding.cv', flag: 'cv', kind: { t: 'string' }, help: 'cross-validation scheme' },
  { path: 'decoding.scaling', flag: 'scaling', kind: { t: 'enum', values: SCALINGS }, help: 'feature scaling' },
  { path: 'decoding.metric.classification', flag: 'classification-metric', kind: { t: 'enum', values: CLASSIFICATION_METRICS }, help: 'metric for choice' },
  { path: 'decoding.metric.regression', flag: 'regression-metric', kind: { t: 'enum', values: REGRESSION_METRICS }, help: 'metric for continuous targets' },
  { path: 'decoding.permutations', flag: 'permutations', kind: { t: 'number', min: 0, max: 1_000_000, integer: true }, help: 'label permutations per decoding' },
  { path: 'geometry.enabled', flag: 'geometry', kind: { t: 'bool' }, help: 'representational geometry per ROI (--no-geometry: off)' },
  { path: 'geometry.models', flag: 'geometry-models', kind: { t: 'list', item: checkGeometryModel, unique: 'value', commaSplit: true }, help: 'model RDMs for RSA' },
  { path: 'geometry.permutations', flag: 'geometry-permutations', kind: { t: 'number', min: 0, max: 1_000_000, integer: true }, help: 'RSA / distance-ratio permutations' },
  { path: 'searchlight.enabled', flag: 'searchlight', kind: { t: 'bool' }, help: 'whole-brain searchlight maps' },
  { path: 'searchlight.radius_mm', flag: 'searchlight-radius', kind: { t: 'number', min: 0, max: 50 }, help: 'searchlight sphere radius (mm)' },
  { path: 'searchlight.targets', flag: 'searchlight-target', kind: { t: 'list', item: checkTarget, unique: 'value', commaSplit: true }, help: 'searchlight targets' },
  { path: 'searchlight.permutations', flag: 'searchlight-permutations', kind: { t: 'number', min: 0, max: 100_000, integer: true }, help: 'per-voxel permutations (p map)' },
  { path: 'group.test', flag: 'group-test', kind: { t: 'enum', values: GROUP_TESTS }, help: 'group test behind p_value' },
  { path: 'group.permutations', flag: 'group-permutations', kind: { t: 'number', min: 1, max: 10_000_000, integer: true }, help: 'sign-flip permutations' },
  { path: 'seed', flag: 'seed', kind: { t: 'number', min: 0, max: 2 ** 32 - 1, integer: true }, help: 'random seed' },
];

// class_weight is stored as null, spelled 'none' in flags and links.
const NULL_WORD = 'none';

function badValue(field: string, got: unknown, allowed: readonly string[] | string): DdError {
  const list = typeof allowed === 'string' ? allowed : `one of ${allowed.join(', ')}`;
  return new DdError('CONFIG_BAD_VALUE', `config ${field}: ${JSON.stringify(got)} is not allowed; use ${list}.`);
}

function describeNumber(k: Extract<Kind, { t: 'number' }>): string {
  const parts = [k.integer ? 'a whole number' : 'a number'];
  if (k.min !== undefined) parts.push(`${k.minExclusive ? '>' : '≥'} ${k.min}`);
  if (k.max !== undefined) parts.push(`≤ ${k.max}`);
  return parts.join(' ') + (k.nullable ? ` (or null / ${NULL_WORD})` : '');
}

/** Validates (and normalises) one leaf value of the JSON form. */
function checkLeaf(f: FieldSpec, v: unknown, field = f.path): unknown {
  const k = f.kind;
  switch (k.t) {
    case 'string': {
      if (typeof v !== 'string' || v === '') throw badValue(field, v, k.hint ?? 'a non-empty string');
      if (k.pattern && !k.pattern.test(v)) throw badValue(field, v, k.hint ?? 'a label');
      return f.path === 'decoding.cv' ? checkCv(v, field) : v;
    }
    case 'bool': {
      if (typeof v !== 'boolean') throw badValue(field, v, 'true or false');
      return v;
    }
    case 'enum': {
      if (f.path === 'decoding.class_weight') {
        if (v === null) return null;
        if (v === 'balanced') return v;
        throw badValue(field, v, 'balanced or null');
      }
      if (typeof v !== 'string' || !k.values.includes(v)) throw badValue(field, v, k.values);
      return v;
    }
    case 'number': {
      if (v === null && k.nullable) return null;
      const ok = typeof v === 'number' && Number.isFinite(v) && (!k.integer || Number.isInteger(v)) &&
        (k.min === undefined || (k.minExclusive ? v > k.min : v >= k.min)) && (k.max === undefined || v <= k.max);
      if (!ok) throw badValue(field, v, describeNumber(k));
      return v;
    }
    case 'list': {
      if (v === null && k.nullable) return null;
      if (!Array.isArray(v) || v.length === 0) throw badValue(field, v, `a non-empty list${k.nullable ? ' (or null)' : ''}`);
      const out = v.map((x, i) => {
        if (typeof x !== 'string') throw badValue(`${field}[${i}]`, x, 'a string');
        return k.item(x, `${field}[${i}]`);
      });
      const seen = new Map<string, number>();
      out.forEach((x, i) => {
        const id = k.unique === 'roi' ? roiName(x) : x;
        const j = seen.get(id);
        if (j !== undefined) {
          throw new DdError('CONFIG_CONFLICT', `config ${field}[${j}] and ${field}[${i}] both name "${id}"; ${k.unique === 'roi' ? 'give each ROI its own NAME=' : 'list each value once'}.`);
        }
        seen.set(id, i);
      });
      return out;
    }
  }
}

/** Flags that take no value (switches and their --no- forms). */
export const SWITCH_FLAGS: readonly string[] = FIELDS.filter((f) => f.kind.t === 'bool').flatMap((f) => [f.flag, `no-${f.flag}`]);

const FIELD_BY_PATH = new Map(FIELDS.map((f) => [f.path, f]));
const FIELD_BY_FLAG = new Map(FIELDS.map((f) => [f.flag, f]));

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Sections (objects) of the schema and their members, from the default config. */
function membersOf(path: string): string[] {
  let node: unknown = defaultConfig();
  for (const p of path ? path.split('.') : []) node = (node as Record<string, unknown>)[p];
  return Object.keys(node as object);
}

export interface ParseConfigOptions {
  /** Where the config came from (a file name), for messages. */
  source?: string;
}

/**
 * Validates a config in its JSON form (partial: missing members take the defaults) and returns
 * the full Config. Rejects unknown members, values of the wrong type or range, and settings that
 * contradict each other, each with a DdError naming the field.
 */
export function parseConfig(input: unknown, opts: ParseConfigOptions = {}): Config {
  try {
    return parseConfigInner(input);
  } catch (e) {
    if (e instanceof DdError && opts.source) {
      throw new DdError(e.code, `${opts.source}: ${e.message}`, { file: opts.source, cause: e.cause });
    }
    throw e;
  }
}

function parseConfigInner(input: unknown): Config {
  if (!isPlainObject(input)) throw new DdError('CONFIG_BAD_VALUE', `config: expected a JSON object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}.`);
  const sv = input.schema_version;
  if (sv !== undefined && sv !== CONFIG_SCHEMA_VERSION) {
    throw new DdError('CONFIG_UNSUPPORTED_VERSION', `config schema_version: ${JSON.stringify(sv)} is not supported; this version of ddmvpa reads schema_version ${CONFIG_SCHEMA_VERSION}.`);
  }
  const out = defaultConfig() as unknown as Record<string, unknown>;
  const walk = (src: Record<string, unknown>, dst: Record<string, unknown>, prefix: string) => {
    const allowed = membersOf(prefix);
    for (const key of Object.keys(src)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!allowed.includes(key)) {
        throw new DdError('CONFIG_UNKNOWN_FIELD', `config ${path}: unknown setting. ${prefix ? `Settings in ${prefix}` : 'Top-level settings'}: ${allowed.join(', ')}.`);
      }
      if (path === 'schema_version') continue;
      const leaf = FIELD_BY_PATH.get(path);
      if (leaf) { dst[key] = checkLeaf(leaf, src[key]); continue; }
      const v = src[key];
      if (!isPlainObject(v)) throw badValue(path, v, `an object with ${membersOf(path).join(', ')}`);
      walk(v, dst[key] as Record<string, unknown>, path);
    }
  };
  walk(input, out, '');
  const c = out as unknown as Config;
  checkConflicts(c);
  return c;
}

function checkConflicts(c: Config): void {
  // The searchlight scales once per run (a scaler per training fold would need a Gram matrix per fold and sphere).
  if (c.searchlight.enabled && c.decoding.scaling === 'train-fold') {
    throw new DdError('CONFIG_CONFLICT', `config searchlight.enabled is true but decoding.scaling is 'train-fold'; the searchlight scales within-run or not at all. Set decoding.scaling to within-run or none, or switch the searchlight off.`);
  }
  if (c.decoding.class_weight === 'balanced' && !c.decoding.targets.some((t) => targetKind(t) === 'classification')) {
    throw new DdError('CONFIG_CONFLICT', `config decoding.class_weight is 'balanced' but decoding.targets (${c.decoding.targets.join(', ')}) has no classification target; class weights apply to ${CLASSIFICATION_TARGETS.join(', ')} only. Remove class_weight or add a classification target.`);
  }
}

// ---------------------------------------------------------------------------------------------
// Flags and share links.

function getPath(obj: unknown, path: string): unknown {
  let node = obj;
  for (const p of path.split('.')) node = (node as Record<string, unknown>)[p];
  return node;
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(node[p])) node[p] = {};
    node = node[p] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Text (one flag value or query value) → the JSON value of a leaf. `texts` holds every occurrence. */
function parseText(f: FieldSpec, texts: string[], where: string): unknown {
  const k = f.kind;
  const last = texts[texts.length - 1]!;
  if (k.t === 'list') {
    if (k.nullable && texts.length === 1 && last === NULL_WORD) return null;
    return k.commaSplit ? texts.flatMap((t) => t.split(',')).map((s) => s.trim()).filter((s) => s !== '') : texts;
  }
  if (k.t === 'bool') {
    if (last === 'true' || last === '') return true;
    if (last === 'false') return false;
    throw badValue(where, last, 'true or false');
  }
  if (k.t === 'number') {
    if (k.nullable && last === NULL_WORD) return null;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(last.trim())) throw badValue(where, last, describeNumber(k));
    return Number(last);
  }
  if (f.path === 'decoding.class_weight') return last === NULL_WORD ? null : last;
  return last;
}

/** A leaf value → its texts (flag values / repeated query values). */
function formatText(f: FieldSpec, v: unknown): string[] {
  if (v === null) return [NULL_WORD];
  if (Array.isArray(v)) return f.kind.t === 'list' && f.kind.commaSplit ? [v.join(',')] : v.map(String);
  return [String(v)];
}

/**
 * Sets every config field given as a flag (`--permutations 100`, `--roi a b`, `--subjects 01,02`)
 * on a raw (JSON-form) config, which parseConfig then validates. `get(flag)` returns the flag's
 * values (every occurrence) or undefined.
 */
export function applyFlagOverrides(raw: Record<string, unknown>, get: (flag: string) => string[] | undefined): Record<string, unknown> {
  const out = structuredClone(raw);
  for (const f of FIELDS) {
    // A switch: --searchlight turns it on, --no-searchlight off.
    if (f.kind.t === 'bool' && get(`no-${f.flag}`)?.length) {
      if (get(f.flag)?.length) throw new DdError('ARGS_CONFLICT', `--${f.flag} and --no-${f.flag} contradict each other; give one.`);
      setPath(out, f.path, false);
      continue;
    }
    const texts = get(f.flag);
    if (texts === undefined || texts.length === 0) continue;
    setPath(out, f.path, parseText(f, texts, `--${f.flag}`));
  }
  return out;
}

/** The share-link form: only settings that differ from the defaults, in FIELDS order. */
export function toSearchParams(config: Config): URLSearchParams {
  const params = new URLSearchParams();
  const defaults = defaultConfig();
  for (const f of FIELDS) {
    const v = getPath(config, f.path);
    if (canonicalJson(v) === canonicalJson(getPath(defaults, f.path))) continue;
    for (const t of formatText(f, v)) params.append(f.flag, t);
  }
  return params;
}

/** The config of a share link; unknown keys are CONFIG_UNKNOWN_FIELD. */
export function fromSearchParams(params: URLSearchParams | string): Config {
  const p = typeof params === 'string' ? new URLSearchParams(params) : params;
  const raw: Record<string, unknown> = {};
  for (const key of new Set(p.keys())) {
    const f = FIELD_BY_FLAG.get(key);
    if (!f) throw new DdError('CONFIG_UNKNOWN_FIELD', `link parameter "${key}": unknown setting. Known: ${FIELDS.map((x) => x.flag).join(', ')}.`);
    setPath(raw, f.path, parseText(f, p.getAll(key), `link parameter ${key}`));
  }
  return parseConfig(raw);
}

/** The config as a file (pretty JSON). */
export function configToJson(config: Config): string {
  return JSON.stringify(config, null, 2) + '\n';
}

/** Parses a config file's text. */
export function configFromJson(text: string, source = 'config'): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DdError('CONFIG_BAD_JSON', `${source}: not valid JSON (${(e as Error).message}). Fix the file (the config.json that ddmvpa run writes beside results.json is a valid example).`, { file: source, cause: e });
  }
  return parseConfig(raw, { source });
}

/** SHA-256 of the canonical JSON of the whole config. */
export function configHash(config: Config): string {
  return hashJson(config);
}

/** The CV scheme used for data with `nRuns` runs (resolves `auto`). */
export function resolveCv(config: Config, nRuns: number): string {
  if (config.decoding.cv !== 'auto') return config.decoding.cv;
  return formatCv(defaultCv(nRuns));
}

/** Model and metric for a target. */
export function decodingFor(config: Config, target: string): { kind: 'classification' | 'regression'; model: ModelName; metric: MetricName } {
  const kind = targetKind(target);
  return { kind, model: config.decoding.model[kind], metric: config.decoding.metric[kind] };
}

/** Names of the configured ROIs (spec → name), in config order. */
export function roiNames(config: Config): string[] {
  return config.rois.map(roiName);
}
