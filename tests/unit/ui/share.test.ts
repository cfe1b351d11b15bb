// Share links of the setup form: every config field round-trips, the Automatic preset is absent,
// ROI files never travel (spheres do), broken links fall back to the defaults with the reason.
import { describe, expect, it } from 'vitest';
import { defaultConfig, FIELDS } from '../../../src/core/pipeline/config.ts';
import { defaultForm, DEFAULT_ROIS, formConfig, isFileRoi, openLink, shareSearch, shareUrl, type FormState } from '../../../src/ui/share.ts';
import { checkDraft, fieldError, getAt } from '../../../src/ui/setup/fields.ts';

function everyFieldChanged(): FormState {
  const c = defaultConfig();
  c.data = { task: 'other', space: 'T1w', subjects: ['01', '03'] };
  c.rois = ['pcc', 'ofc=sphere:10,40,-12,6', 'brain'];
  c.patterns = { estimator: 'lsa', confounds: 'motion24', spike_fd_mm: 0.9, high_pass_s: 100, slice_time_ref: 0 };
  c.behavior.fixed_beta = 1;
  c.decoding = {
    targets: ['choice', 'sv_sum', 'rt'], model: { classification: 'logreg', regression: 'ridge' }, C: 0.1, alpha: 10,
    class_weight: 'balanced', cv: 'blocked:4:20', scaling: 'none',
    metric: { classification: 'roc_auc', regression: 'pearson_r' }, permutations: 50,
  };
  c.group = { test: 'sign_flip', permutations: 5000 };
  c.seed = 42;
  // The optional analyses, when the schema has them (issue 5 contract).
  const x = c as unknown as Record<string, Record<string, unknown>>;
  if (x.geometry) x.geometry = { enabled: false, models: ['choice'], permutations: 200 };
  if (x.searchlight) x.searchlight = { enabled: true, radius_mm: 8, targets: ['choice', 'sv_diff'], permutations: 10 };
  return { config: c, preset: 'motion24' };
}

describe('share links', () => {
  it('round-trip every field of the form exactly', () => {
    const form = everyFieldChanged();
    const opened = openLink(shareSearch(form));
    expect(opened.error).toBeNull();
    expect(opened.form).toEqual(form);
    // Every field of the table differs from its default here, so every flag is in the link.
    const params = new URLSearchParams(shareSearch(form));
    for (const f of FIELDS) {
      if (JSON.stringify(getAt(form.config, f.path)) === JSON.stringify(getAt(defaultConfig(), f.path))) continue;
      expect(params.has(f.flag), f.flag).toBe(true);
    }
  });

  it('a fresh page opens with the three starting ROIs; its link names them, so it opens the same', () => {
    const fresh = openLink('');
    expect(fresh.fromLink).toBe(false);
    expect(fresh.form).toEqual(defaultForm());
    const s = shareSearch(fresh.form);
    expect(new URLSearchParams(s).getAll('roi')).toEqual([...DEFAULT_ROIS]);
    expect(openLink(s).form).toEqual(fresh.form);
  });

  it('the schema default ROI list (10 built-ins) is written out too, not confused with the page start', () => {
    const form = defaultForm();
    form.config.rois = defaultConfig().rois;
    expect(openLink(shareSearch(form)).form.config.rois).toEqual(defaultConfig().rois);
  });

  it('Automatic preset: absent from the link, the config default when run; an explicit default is kept', () => {
    const auto = defaultForm();
    expect(new URLSearchParams(shareSearch(auto)).has('preset')).toBe(false);
    expect(formConfig(auto).patterns.confounds).toBe(defaultConfig().patterns.confounds);
    const explicit: FormState = { ...defaultForm(), preset: 'motion6+wm+csf' };
    expect(new URLSearchParams(shareSearch(explicit)).get('preset')).toBe('motion6+wm+csf');
    expect(openLink(shareSearch(explicit)).form.preset).toBe('motion6+wm+csf');
  });

  it('ROI files never travel; spheres do; a hand-written link with a file names it in a note', () => {
    const form = defaultForm();
    form.config.rois = ['vmpfc', 'ofc=my_mask.nii.gz', 'caud=aal.nii.gz:71+72', 'dl=sphere:-44,36,20,8'];
    const s = shareSearch(form);
    expect(s).not.toMatch(/nii/);
    expect(new URLSearchParams(s).getAll('roi')).toEqual(['vmpfc', 'dl=sphere:-44,36,20,8']);
    expect(isFileRoi('ofc=my_mask.nii.gz')).toBe(true);
    expect(isFileRoi('dl=sphere:-44,36,20,8')).toBe(false);
    const opened = openLink('?roi=vmpfc&roi=ofc%3Dmy_mask.nii.gz');
    expect(opened.form.config.rois).toEqual(['vmpfc']);
    expect(opened.notes.join(' ')).toContain('ofc=my_mask.nii.gz');
  });

  it('a broken link reports the DdError naming the field and opens the defaults', () => {
    const bad = openLink('?cv=blocked:1');
    expect(bad.error?.code).toBe('CONFIG_BAD_VALUE');
    expect(bad.error?.message).toContain('decoding.cv');
    expect(bad.form).toEqual(defaultForm());
    expect(openLink('?colour=blue').error?.code).toBe('CONFIG_UNKNOWN_FIELD');
  });

  it('shareUrl drops the page hash and keeps the path', () => {
    const u = shareUrl('http://x.test/app/?old=1#demo', defaultForm());
    expect(u).toBe('http://x.test/app/?estimator=lss&roi=vmpfc&roi=nacc_l&roi=brain'.replace('estimator=lss&', ''));
  });
});

describe('form validation through the schema', () => {
  it('names the field in each inline message', () => {
    expect(fieldError('decoding.C', 0)).toMatch(/^decoding\.C: 0 is not allowed; use a number > 0/);
    expect(fieldError('decoding.permutations', 1.5)).toMatch(/decoding\.permutations/);
    expect(fieldError('decoding.cv', 'kfold:1')).toMatch(/decoding\.cv/);
    expect(fieldError('decoding.targets', [])).toMatch(/decoding\.targets/);
    expect(fieldError('seed', 3)).toBeNull();
  });

  it('checkDraft: per-field errors first, then conflicts under the field they name', () => {
    const d = defaultConfig() as unknown as Record<string, any>;
    d.decoding.C = null;
    d.decoding.permutations = -1;
    const c1 = checkDraft(d);
    expect(c1.config).toBeNull();
    expect(Object.keys(c1.errors).sort()).toEqual(['decoding.C', 'decoding.permutations']);
    const d2 = defaultConfig();
    d2.decoding.targets = ['sv_diff'];
    d2.decoding.class_weight = 'balanced';
    const c2 = checkDraft(d2);
    expect(c2.config).toBeNull();
    expect(c2.errors['decoding.class_weight']).toMatch(/no classification target/);
    expect(checkDraft(defaultConfig()).config).toEqual(defaultConfig());
  });
});
