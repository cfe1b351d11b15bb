/**
 * The config schema: SCIENCE.md defaults, every bad field named, unknown and contradictory
 * settings, flags, files and share links (exact round trip), the config hash.
 */
import { describe, expect, it } from 'vitest';
import { DdError } from '../../../src/core/errors.ts';
import { Rng } from '../../../src/core/random.ts';
import { BUILTIN_ROI_NAMES } from '../../../src/core/roi/index.ts';
import {
  applyFlagOverrides, configFromJson, configHash, configToJson, defaultConfig, FIELDS, fromSearchParams, parseConfig, resolveCv,
  toSearchParams, type Config,
} from '../../../src/core/pipeline/config.ts';

function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DdError);
    return { code: (e as DdError).code, message: (e as DdError).message };
  }
  throw new Error('expected a DdError');
}

describe('config defaults (SCIENCE.md)', () => {
  it('fills every default from an empty object', () => {
    const c = parseConfig({});
    expect(c).toEqual(defaultConfig());
    expect(c.schema_version).toBe(1);
    expect(c.rois).toEqual([...BUILTIN_ROI_NAMES]);
    expect(c.rois).toHaveLength(10);
    expect(c.patterns).toEqual({ estimator: 'lss', confounds: 'motion6+wm+csf', spike_fd_mm: null, high_pass_s: 128, slice_time_ref: 0.5 });
    expect(c.decoding.targets).toEqual(['choice', 'sv_diff']);
    expect(c.decoding.model).toEqual({ classification: 'svc', regression: 'ridge' });
    expect(c.decoding.metric).toEqual({ classification: 'balanced_accuracy', regression: 'r2' });
    expect([c.decoding.C, c.decoding.alpha, c.decoding.class_weight, c.decoding.scaling, c.decoding.permutations, c.seed]).toEqual([1, 1, null, 'within-run', 1000, 0]);
    expect(resolveCv(c, 1)).toBe('blocked:5:12');
    expect(resolveCv(c, 3)).toBe('loro');
    expect(c.geometry).toEqual({ enabled: true, models: ['choice', 'sv_diff', 'delay'], permutations: 1000 });
    expect(c.searchlight).toEqual({ enabled: false, radius_mm: 6, targets: ['choice'], permutations: 0 });
  });

  it('loads a config of before the geometry / searchlight sections (their defaults)', () => {
    const c = parseConfig({ schema_version: 1, decoding: { permutations: 5 } });
    expect(c.geometry).toEqual(defaultConfig().geometry);
    expect(c.searchlight).toEqual(defaultConfig().searchlight);
    expect(parseConfig({ geometry: { permutations: 10 }, searchlight: { enabled: true } })).toMatchObject({
      geometry: { enabled: true, models: ['choice', 'sv_diff', 'delay'], permutations: 10 },
      searchlight: { enabled: true, radius_mm: 6, targets: ['choice'], permutations: 0 },
    });
  });

  it('keeps partial sections and normalises values', () => {
    const c = parseConfig({ schema_version: 1, decoding: { cv: 'BLOCKED:4', permutations: 0 }, data: { subjects: ['sub-01', '02'] } });
    expect(c.decoding.cv).toBe('blocked:4:12');
    expect(c.decoding.permutations).toBe(0);
    expect(c.decoding.targets).toEqual(['choice', 'sv_diff']);
    expect(c.data.subjects).toEqual(['01', '02']);
  });
});

describe('config validation names the field', () => {
  const bad: [string, unknown][] = [
    ['data.task', 'disc ount'], ['data.space', ''], ['data.subjects', []], ['rois', ['nope_roi']], ['rois', 'vmpfc'],
    ['patterns.estimator', 'ols'], ['patterns.confounds', 'motion12'], ['patterns.spike_fd_mm', 0], ['patterns.high_pass_s', -1],
    ['patterns.slice_time_ref', 1.5], ['behavior.fixed_beta', 'one'], ['decoding.targets', ['choice', 'mood']],
    ['decoding.model.classification', 'ridge'], ['decoding.model.regression', 'svc'], ['decoding.C', 0], ['decoding.alpha', Infinity],
    ['decoding.class_weight', 'auto'], ['decoding.cv', 'loso'], ['decoding.scaling', 'global'],
    ['decoding.metric.classification', 'r2'], ['decoding.metric.regression', 'accuracy'], ['decoding.permutations', 2.5],
    ['group.test', 'anova'], ['group.permutations', 0], ['seed', -1],
    ['geometry.enabled', 'yes'], ['geometry.models', ['choice', 'mood']], ['geometry.permutations', -1],
    ['searchlight.enabled', 1], ['searchlight.radius_mm', 51], ['searchlight.targets', ['nope']], ['searchlight.permutations', 0.5],
  ];
  it.each(bad)('%s = %j → CONFIG_BAD_VALUE naming it', (path, value) => {
    const raw: Record<string, any> = {};
    const parts = path.split('.');
    let node = raw;
    for (const p of parts.slice(0, -1)) node = node[p] = {};
    node[parts[parts.length - 1]!] = value;
    const e = codeOf(() => parseConfig(raw));
    expect(e.code).toBe('CONFIG_BAD_VALUE');
    expect(e.message).toContain(`config ${path}`);
  });

  it('covers every field of the table', () => {
    const tested = new Set(bad.map(([p]) => p));
    for (const f of FIELDS) expect(tested.has(f.path), f.path).toBe(true);
  });

  it('lists the allowed values', () => {
    expect(codeOf(() => parseConfig({ patterns: { estimator: 'ols' } })).message).toMatch(/one of lss, lsa, lag/);
    expect(codeOf(() => parseConfig({ decoding: { model: { classification: 'ridge' } } })).message).toMatch(/one of svc, logreg/);
  });

  it('rejects unknown settings at any level, naming them', () => {
    expect(codeOf(() => parseConfig({ permutations: 10 }))).toMatchObject({ code: 'CONFIG_UNKNOWN_FIELD', message: expect.stringContaining('config permutations') });
    expect(codeOf(() => parseConfig({ decoding: { perms: 10 } })).message).toMatch(/config decoding\.perms: unknown setting.*permutations/);
    expect(codeOf(() => parseConfig({ decoding: { model: { choice: 'svc' } } })).message).toContain('decoding.model.choice');
    expect(codeOf(() => parseConfig({ decoding: 5 })).code).toBe('CONFIG_BAD_VALUE');
    expect(codeOf(() => parseConfig([])).code).toBe('CONFIG_BAD_VALUE');
  });

  it('rejects contradictions and other schema versions', () => {
    expect(codeOf(() => parseConfig({ rois: ['vmpfc', 'vmpfc=sphere:0,40,-8,6'] }))).toMatchObject({ code: 'CONFIG_CONFLICT', message: expect.stringContaining('rois[0] and rois[1]') });
    expect(codeOf(() => parseConfig({ decoding: { targets: ['choice', 'choice'] } })).code).toBe('CONFIG_CONFLICT');
    expect(codeOf(() => parseConfig({ decoding: { targets: ['sv_diff'], class_weight: 'balanced' } }))).toMatchObject({ code: 'CONFIG_CONFLICT', message: expect.stringMatching(/class_weight.*targets/) });
    expect(codeOf(() => parseConfig({ schema_version: 2 })).code).toBe('CONFIG_UNSUPPORTED_VERSION');
    expect(codeOf(() => parseConfig({ searchlight: { enabled: true }, decoding: { scaling: 'train-fold' } }))).toMatchObject({ code: 'CONFIG_CONFLICT', message: expect.stringMatching(/searchlight\.enabled.*decoding\.scaling/) });
    // train-fold scaling is fine while the searchlight is off
    expect(parseConfig({ decoding: { scaling: 'train-fold' } }).decoding.scaling).toBe('train-fold');
    expect(codeOf(() => parseConfig({ geometry: { models: ['choice', 'choice'] } })).code).toBe('CONFIG_CONFLICT');
    expect(codeOf(() => parseConfig({ searchlight: { radius: 6 } })).message).toMatch(/config searchlight\.radius: unknown setting.*radius_mm/);
    expect(codeOf(() => parseConfig({ geometry: true })).message).toContain('config geometry');
  });

  it('names the config file', () => {
    const e = codeOf(() => configFromJson('{"decoding": {"C": -1}}', 'my.json'));
    expect(e.message).toMatch(/^my\.json: config decoding\.C/);
    expect(codeOf(() => configFromJson('{', 'my.json')).code).toBe('CONFIG_BAD_JSON');
  });
});

/** A random valid config (seeded). */
function randomConfig(rng: Rng): Config {
  const pick = <T>(a: readonly T[]) => a[rng.int(a.length)]!;
  const maybe = () => rng.next() < 0.5;
  const raw: Record<string, any> = { data: {}, patterns: {}, behavior: {}, decoding: { model: {}, metric: {} }, group: {} };
  if (maybe()) raw.data.task = pick(['discountFix', 'mid', 'rest1']);
  if (maybe()) raw.data.subjects = maybe() ? ['01', 's061'] : null;
  if (maybe()) raw.rois = pick([['vmpfc'], ['brain', 'nacc_l'], ['x=sphere:-10.5,12,-8,6', 'a=atlas.nii.gz:71+72', 'm=dir/m.nii']]);
  if (maybe()) raw.patterns.estimator = pick(['lss', 'lsa', 'lag']);
  if (maybe()) raw.patterns.spike_fd_mm = maybe() ? rng.next() + 0.1 : null;
  if (maybe()) raw.patterns.slice_time_ref = rng.next();
  if (maybe()) raw.behavior.fixed_beta = maybe() ? 1 : null;
  if (maybe()) raw.decoding.targets = pick([['choice'], ['sv_diff', 'choice', 'rt']]);
  if (maybe()) raw.decoding.C = rng.next() * 10 + 1e-9;
  if (maybe()) raw.decoding.alpha = 1e-3 * (1 + rng.int(1000));
  if (maybe()) raw.decoding.cv = pick(['auto', 'loro', 'blocked:3:0', 'kfold:4', 'blocked:5:7.5']);
  if (maybe()) raw.decoding.scaling = pick(['within-run', 'train-fold', 'none']);
  if (maybe()) raw.decoding.metric.classification = pick(['accuracy', 'roc_auc']);
  if (maybe()) raw.decoding.permutations = rng.int(5000);
  if (maybe()) raw.group.test = pick(['t', 'wilcoxon', 'sign_flip']);
  if (maybe()) raw.seed = rng.nextU32();
  if ((raw.decoding.targets ?? ['choice']).includes('choice') && maybe()) raw.decoding.class_weight = 'balanced';
  raw.geometry = {};
  raw.searchlight = {};
  if (maybe()) raw.geometry.enabled = maybe();
  if (maybe()) raw.geometry.models = pick([['choice'], ['delay', 'sv_diff', 'rt']]);
  if (maybe()) raw.geometry.permutations = rng.int(3000);
  if (maybe() && raw.decoding.scaling !== 'train-fold') raw.searchlight.enabled = maybe();
  if (maybe()) raw.searchlight.radius_mm = pick([0, 4.5, 6, 10]);
  if (maybe()) raw.searchlight.targets = pick([['choice'], ['sv_diff', 'choice']]);
  if (maybe()) raw.searchlight.permutations = rng.int(200);
  return parseConfig(raw);
}

describe('flags, files and share links', () => {
  it('round-trips the URL form exactly (and writes only what differs from the defaults)', () => {
    expect(toSearchParams(defaultConfig()).toString()).toBe('');
    const rng = new Rng(42);
    for (let i = 0; i < 300; i++) {
      const c = randomConfig(rng);
      const q = toSearchParams(c).toString();
      expect(fromSearchParams(q), q).toEqual(c);
      expect(fromSearchParams(new URLSearchParams(q))).toEqual(c);
      expect(configFromJson(configToJson(c))).toEqual(c);
    }
  });

  it('reads links written by hand and rejects unknown keys', () => {
    const c = fromSearchParams('permutations=100&roi=vmpfc&roi=x%3Dsphere%3A0%2C40%2C-8%2C6&target=choice,sv_sum&class-weight=balanced&spike-fd=none');
    expect(c.decoding.permutations).toBe(100);
    expect(c.rois).toEqual(['vmpfc', 'x=sphere:0,40,-8,6']);
    expect(c.decoding.targets).toEqual(['choice', 'sv_sum']);
    expect(c.decoding.class_weight).toBe('balanced');
    expect(codeOf(() => fromSearchParams('perms=5'))).toMatchObject({ code: 'CONFIG_UNKNOWN_FIELD', message: expect.stringContaining('perms') });
    expect(codeOf(() => fromSearchParams('permutations=lots')).message).toContain('link parameter permutations');
  });

  it('maps CLI flags onto the config (file values underneath)', () => {
    const flags: Record<string, string[]> = { permutations: ['50'], seed: ['3'], subjects: ['01,02'], roi: ['vmpfc', 'nacc_l'], estimator: ['lsa'], 'class-weight': ['none'] };
    const raw = applyFlagOverrides({ decoding: { C: 2, permutations: 10 } }, (f) => flags[f]);
    const c = parseConfig(raw);
    expect(c.decoding.permutations).toBe(50);
    expect(c.decoding.C).toBe(2);
    expect(c.seed).toBe(3);
    expect(c.data.subjects).toEqual(['01', '02']);
    expect(c.rois).toEqual(['vmpfc', 'nacc_l']);
    expect(c.patterns.estimator).toBe('lsa');
    expect(c.decoding.class_weight).toBeNull();
    expect(codeOf(() => parseConfig(applyFlagOverrides({}, (f) => (f === 'permutations' ? ['1e3x'] : undefined)))).message).toContain('--permutations');
  });

  it('maps the geometry and searchlight flags (switches with --no- forms) and links', () => {
    const flags: Record<string, string[]> = {
      'no-geometry': ['true'], searchlight: ['true'], 'searchlight-radius': ['8'], 'searchlight-target': ['choice,sv_diff'], 'searchlight-permutations': ['20'],
      'geometry-permutations': ['50'], 'geometry-models': ['choice', 'delay'],
    };
    const c = parseConfig(applyFlagOverrides({ geometry: { enabled: true } }, (f) => flags[f]));
    expect(c.geometry).toEqual({ enabled: false, models: ['choice', 'delay'], permutations: 50 });
    expect(c.searchlight).toEqual({ enabled: true, radius_mm: 8, targets: ['choice', 'sv_diff'], permutations: 20 });
    expect(codeOf(() => applyFlagOverrides({}, (f) => (f === 'geometry' || f === 'no-geometry' ? ['true'] : undefined))).code).toBe('ARGS_CONFLICT');
    expect(codeOf(() => parseConfig(applyFlagOverrides({}, (f) => (f === 'searchlight-radius' ? ['wide'] : undefined)))).message).toContain('--searchlight-radius');
    const q = toSearchParams(c).toString();
    expect(q).toBe('geometry=false&geometry-models=choice%2Cdelay&geometry-permutations=50&searchlight=true&searchlight-radius=8&searchlight-target=choice%2Csv_diff&searchlight-permutations=20');
    expect(fromSearchParams(q)).toEqual(c);
    expect(codeOf(() => fromSearchParams('searchlight=maybe')).message).toContain('link parameter searchlight');
  });

  it('parses the switches on the command line', async () => {
    const { parseArgs } = await import('../../../src/cli/args.ts');
    const a = parseArgs(['run', '--searchlight', '--no-geometry', '--searchlight-radius', '4']);
    expect([...a.flags]).toEqual([['searchlight', ['true']], ['no-geometry', ['true']], ['searchlight-radius', ['4']]]);
  });

  it('hashes the canonical JSON: member order does not matter, values do', () => {
    const a = parseConfig({ seed: 1, decoding: { C: 2, alpha: 3 } });
    const b = parseConfig({ decoding: { alpha: 3, C: 2 }, seed: 1 });
    expect(configHash(a)).toBe(configHash(b));
    expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(configHash(parseConfig({ seed: 2, decoding: { C: 2, alpha: 3 } }))).not.toBe(configHash(a));
  });
});
