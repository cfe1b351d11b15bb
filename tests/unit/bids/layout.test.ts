import { describe, expect, it } from 'vitest';
import { discoverAny, discoverDataset, isMotionTextPath, parseBidsName, singleRunFromFiles } from '../../../src/core/bids/layout.ts';

const RAW = 'ds004636';
const FP = 'ds004636/derivatives/fmriprep';
const MNI = 'space-MNI152NLin2009cAsym_res-2';

function fmriprepRun(root: string, sub: string, ses: string | null, rest: string): string[] {
  const dir = `${root}/sub-${sub}${ses ? `/ses-${ses}` : ''}/func`;
  const stem = `${dir}/sub-${sub}${ses ? `_ses-${ses}` : ''}_${rest}`;
  return [
    `${stem}_${MNI}_desc-preproc_bold.nii.gz`,
    `${stem}_${MNI}_desc-preproc_bold.json`,
    `${stem}_${MNI}_desc-brain_mask.nii.gz`,
    `${stem}_${MNI}_desc-brain_mask.json`,
    `${stem}_${MNI}_boldref.nii.gz`,
    `${stem}_${MNI}_desc-aparcaseg_dseg.nii.gz`,
    `${stem}_space-T1w_desc-preproc_bold.nii.gz`,
    `${stem}_space-T1w_desc-brain_mask.nii.gz`,
    `${stem}_space-MNI152NLin6Asym_res-2_desc-smoothAROMAnonaggr_bold.nii.gz`,
    `${stem}_desc-confounds_timeseries.tsv`,
    `${stem}_desc-confounds_timeseries.json`,
    `${stem}_from-scanner_to-T1w_mode-image_xfm.txt`,
  ];
}

const paths = [
  `${RAW}/dataset_description.json`,
  `${RAW}/participants.tsv`,
  `${RAW}/task-discountFix_bold.json`,
  `${RAW}/task-discountFix_events.json`,
  `${RAW}/task-stopSignal_bold.json`,
  // s061: raw BOLD + events (+ another task), preproc in derivatives
  `${RAW}/sub-s061/ses-2/anat/sub-s061_ses-2_T1w.nii.gz`,
  `${RAW}/sub-s061/ses-2/func/sub-s061_ses-2_task-discountFix_run-1_bold.nii.gz`,
  `${RAW}/sub-s061/ses-2/func/sub-s061_ses-2_task-discountFix_run-1_sbref.nii.gz`,
  `${RAW}/sub-s061/ses-2/func/sub-s061_ses-2_task-discountFix_run-1_events.tsv`,
  `${RAW}/sub-s061/ses-2/func/sub-s061_ses-2_task-stopSignal_run-1_bold.nii.gz`,
  `${RAW}/sub-s061/ses-2/func/sub-s061_ses-2_task-stopSignal_run-1_events.tsv`,
  ...fmriprepRun(FP, 's061', '2', 'task-discountFix_run-1'),
  ...fmriprepRun(FP, 's061', '2', 'task-stopSignal_run-1'),
  `${RAW}/derivatives/mriqc/sub-s061/ses-2/func/sub-s061_ses-2_task-discountFix_run-1_bold.json`,
  // s130: two runs in derivatives only (run-01 / run-02); raw has events only, named run-1 / run-2
  ...fmriprepRun(FP, 's130', '1', 'task-discountFix_run-01'),
  ...fmriprepRun(FP, 's130', '1', 'task-discountFix_run-02'),
  `${RAW}/sub-s130/ses-1/func/sub-s130_ses-1_task-discountFix_run-2_events.tsv`,
  `${RAW}/sub-s130/ses-1/func/sub-s130_ses-1_task-discountFix_run-1_events.tsv`,
  // s524: BOLD without events
  ...fmriprepRun(FP, 's524', '1', 'task-discountFix_run-1'),
  // s650: the same preproc BOLD in two fMRIPrep folders (duplicate)
  ...fmriprepRun(FP, 's650', '1', 'task-discountFix_run-1'),
  `ds004636/derivatives/fmriprep-23/sub-s650/ses-1/func/sub-s650_ses-1_task-discountFix_run-1_${MNI}_desc-preproc_bold.nii.gz`,
  `${RAW}/sub-s650/ses-1/func/sub-s650_ses-1_task-discountFix_run-1_events.tsv`,
  // s700: raw only, no session, no run, own sidecar
  `${RAW}/sub-s700/func/sub-s700_task-discountFix_bold.nii`,
  `${RAW}/sub-s700/func/sub-s700_task-discountFix_bold.json`,
  `${RAW}/sub-s700/func/sub-s700_task-discountFix_events.tsv`,
  // s800: older fMRIPrep (desc-confounds_regressors), no mask
  `${FP}/sub-s800/func/sub-s800_task-discountFix_${MNI}_desc-preproc_bold.nii.gz`,
  `${FP}/sub-s800/func/sub-s800_task-discountFix_desc-confounds_regressors.tsv`,
  `${RAW}/sub-s800/func/sub-s800_task-discountFix_events.tsv`,
  // s999: events without any BOLD
  `${RAW}/sub-s999/ses-1/func/sub-s999_ses-1_task-discountFix_run-1_events.tsv`,
];

describe('discoverDataset on raw BIDS + fMRIPrep derivatives', () => {
  const { subjects, problems } = discoverDataset([...paths].reverse());
  const run = (sub: string, i = 0) => subjects.find((s) => s.subject === sub)!.runs[i]!;

  it('finds the subjects in natural order, task discountFix by default', () => {
    expect(subjects.map((s) => s.subject)).toEqual(['s061', 's130', 's524', 's650', 's700', 's800']);
    expect(subjects.flatMap((s) => s.runs).every((r) => r.task === 'discountFix')).toBe(true);
  });

  it('s061: MNI152NLin2009cAsym preproc BOLD, its mask and JSON, confounds, events from the raw tree', () => {
    const stem = `${FP}/sub-s061/ses-2/func/sub-s061_ses-2_task-discountFix_run-1`;
    expect(run('s061')).toEqual({
      subject: 's061', session: '2', task: 'discountFix', run: 1, id: 'sub-s061_ses-2_task-discountFix_run-1',
      bold: `${stem}_${MNI}_desc-preproc_bold.nii.gz`,
      brainMask: `${stem}_${MNI}_desc-brain_mask.nii.gz`,
      boldJson: `${stem}_${MNI}_desc-preproc_bold.json`,
      confounds: `${stem}_desc-confounds_timeseries.tsv`,
      events: `${RAW}/sub-s061/ses-2/func/sub-s061_ses-2_task-discountFix_run-1_events.tsv`,
      space: 'MNI152NLin2009cAsym', res: '2', derivative: true,
    });
  });

  it('s130: two runs, run-01 matches run-1 events, sorted by run', () => {
    const s = subjects.find((x) => x.subject === 's130')!;
    expect(s.runs.map((r) => r.run)).toEqual([1, 2]);
    expect(s.runs[0]!.events).toMatch(/run-1_events\.tsv$/);
    expect(s.runs[1]!.events).toMatch(/run-2_events\.tsv$/);
    expect(s.runs[1]!.bold).toMatch(/run-02_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold/);
  });

  it('raw-only subject: raw BOLD, its own sidecar, no space', () => {
    expect(run('s700')).toEqual({
      subject: 's700', task: 'discountFix', id: 'sub-s700_task-discountFix',
      bold: `${RAW}/sub-s700/func/sub-s700_task-discountFix_bold.nii`,
      boldJson: `${RAW}/sub-s700/func/sub-s700_task-discountFix_bold.json`,
      events: `${RAW}/sub-s700/func/sub-s700_task-discountFix_events.tsv`,
      derivative: false,
    });
  });

  it('older fMRIPrep confounds (_desc-confounds_regressors) and the inherited task JSON', () => {
    const r = run('s800');
    expect(r.confounds).toMatch(/desc-confounds_regressors\.tsv$/);
    expect(r.brainMask).toBeUndefined();
    expect(r.boldJson).toBe(`${RAW}/task-discountFix_bold.json`);
  });

  it('never takes an MRIQC IQM JSON as the sidecar', () => {
    expect(subjects.flatMap((s) => s.runs).some((r) => r.boldJson?.includes('mriqc'))).toBe(false);
  });

  it('problems: BOLD without events, events without BOLD, duplicates, other task — each names the file and the fix', () => {
    const byCode = (c: string) => problems.filter((p) => p.code === c);
    const noEv = byCode('BIDS_NO_EVENTS');
    expect(noEv).toHaveLength(1);
    expect(noEv[0]!.file).toMatch(/sub-s524_ses-1_task-discountFix_run-1_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold/);
    expect(noEv[0]!.message).toContain(noEv[0]!.file!);
    expect(noEv[0]!.message).toMatch(/Add sub-s524_ses-1_task-discountFix_run-1_events\.tsv/);
    expect(run('s524').events).toBeUndefined();

    const orphan = byCode('BIDS_EVENTS_WITHOUT_BOLD');
    expect(orphan).toHaveLength(1);
    expect(orphan[0]!.file).toBe(`${RAW}/sub-s999/ses-1/func/sub-s999_ses-1_task-discountFix_run-1_events.tsv`);
    expect(orphan[0]!.message).toMatch(/Add the run's BOLD|remove the events file/);

    const dup = byCode('BIDS_DUPLICATE');
    expect(dup).toHaveLength(1);
    expect(dup[0]!.message).toContain('fmriprep-23');
    expect(dup[0]!.message).toMatch(/Remove the extra copies/);
    expect(run('s650').bold).toBe(`${FP}/sub-s650/ses-1/func/sub-s650_ses-1_task-discountFix_run-1_${MNI}_desc-preproc_bold.nii.gz`);

    expect(byCode('BIDS_OTHER_TASKS_IGNORED')[0]!.message).toContain('stopSignal');
    expect(problems.map((p) => p.code).sort()).toEqual(
      ['BIDS_DUPLICATE', 'BIDS_EVENTS_WITHOUT_BOLD', 'BIDS_NO_EVENTS', 'BIDS_OTHER_TASKS_IGNORED']);
  });

  it('is independent of input order', () => {
    expect(discoverDataset(paths)).toEqual(discoverDataset([...paths].reverse()));
  });
});

describe('discoverDataset options', () => {
  it('task filter: another task, or all tasks', () => {
    const only = discoverDataset(paths, { task: 'stopSignal' });
    expect(only.subjects.map((s) => s.subject)).toEqual(['s061']);
    expect(only.subjects[0]!.runs[0]!.events).toMatch(/task-stopSignal_run-1_events/);
    expect(only.subjects[0]!.runs[0]!.boldJson).toMatch(/task-stopSignal_run-1_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold\.json$/);
    const all = discoverDataset(paths, { task: '*' });
    expect(all.subjects.find((s) => s.subject === 's061')!.runs.map((r) => r.task)).toEqual(['discountFix', 'stopSignal']);
    expect(discoverDataset(paths, { task: 'nback' }).problems.map((p) => p.code)).toContain('BIDS_TASK_NOT_FOUND');
  });

  it('any task when discountFix is absent', () => {
    const other = paths.filter((p) => p.includes('stopSignal'));
    const r = discoverDataset(other);
    expect(r.subjects).toHaveLength(1);
    expect(r.subjects[0]!.runs[0]!.task).toBe('stopSignal');
  });

  it('space preference: T1w when asked, with the T1w mask', () => {
    const r = discoverDataset(paths, { space: 'T1w' }).subjects[0]!.runs[0]!;
    expect(r.space).toBe('T1w');
    expect(r.res).toBeUndefined();
    expect(r.bold).toMatch(/space-T1w_desc-preproc_bold\.nii\.gz$/);
    expect(r.brainMask).toMatch(/space-T1w_desc-brain_mask\.nii\.gz$/);
    // No T1w derivative JSON in the list: the inherited raw task sidecar, never the MNI one.
    expect(r.boldJson).toBe(`${RAW}/task-discountFix_bold.json`);
    const fb = discoverDataset(paths, { space: 'MNI152NLin2009cSym' });
    expect(fb.subjects[0]!.runs[0]!.space).toBe('MNI152NLin2009cAsym');
    expect(fb.problems.some((p) => p.code === 'BIDS_SPACE_FALLBACK')).toBe(true);
  });

  it('Windows separators work', () => {
    const r = discoverDataset(paths.map((p) => p.replace(/\//g, '\\')));
    expect(r.subjects.map((s) => s.subject)).toEqual(['s061', 's130', 's524', 's650', 's700', 's800']);
  });

  it('events inherited from a file without run (BIDS inheritance) and no BOLD at all', () => {
    const r = discoverDataset([
      'ds/sub-01/func/sub-01_task-discountFix_run-1_bold.nii.gz',
      'ds/sub-01/func/sub-01_task-discountFix_run-2_bold.nii.gz',
      'ds/sub-01/sub-01_task-discountFix_events.tsv',
    ]);
    expect(r.subjects[0]!.runs.map((x) => x.events)).toEqual(['ds/sub-01/sub-01_task-discountFix_events.tsv', 'ds/sub-01/sub-01_task-discountFix_events.tsv']);
    expect(r.problems).toEqual([]);
    const none = discoverDataset(['a/readme.txt']);
    expect(none.subjects).toEqual([]);
    expect(none.problems.map((p) => p.code)).toEqual(['BIDS_NO_BOLD']);
  });

  it('mixed spaces across subjects are reported', () => {
    const r = discoverDataset([
      `${FP}/sub-a/func/sub-a_task-discountFix_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz`,
      `${FP}/sub-b/func/sub-b_task-discountFix_space-T1w_desc-preproc_bold.nii.gz`,
      `${RAW}/sub-a/func/sub-a_task-discountFix_events.tsv`,
      `${RAW}/sub-b/func/sub-b_task-discountFix_events.tsv`,
    ]);
    expect(r.problems.map((p) => p.code)).toEqual(['BIDS_MIXED_SPACES']);
  });
});

describe('parseBidsName', () => {
  it('splits entities, suffix and extension', () => {
    const n = parseBidsName('x/sub-01_ses-2_task-discountFix_run-1_space-MNI152NLin2009cAsym_res-2_desc-preproc_bold.nii.gz')!;
    expect(n.entities).toEqual({ sub: '01', ses: '2', task: 'discountFix', run: '1', space: 'MNI152NLin2009cAsym', res: '2', desc: 'preproc' });
    expect(n.suffix).toBe('bold');
    expect(n.ext).toBe('nii.gz');
    expect(parseBidsName('sub-01_task-x_bold_confounds.tsv')!.suffix).toBe('confounds');
    expect(parseBidsName('README')).toBeNull();
    expect(parseBidsName('bold.nii.gz')!.entities).toEqual({});
  });
});

describe('single-run mode for loose files', () => {
  it('one NIfTI + events.tsv (+ motion, mask, json)', () => {
    const { run, problems } = singleRunFromFiles(['drop/func.nii.gz', 'drop/my_events.tsv', 'drop/bold_moest.txt', 'drop/brain_mask.nii', 'drop/func.json']);
    expect(problems).toEqual([]);
    expect(run).toEqual({
      subject: 'single', task: 'single', id: 'func', bold: 'drop/func.nii.gz', derivative: false,
      events: 'drop/my_events.tsv', confounds: 'drop/bold_moest.txt', brainMask: 'drop/brain_mask.nii', boldJson: 'drop/func.json',
    });
    expect(isMotionTextPath('drop/bold_moest.txt')).toBe(true);
    expect(isMotionTextPath('prefiltered_func_data_mcf.par')).toBe(true);
    expect(isMotionTextPath('notes.txt')).toBe(false);
  });

  it('BIDS-named loose files keep their entities', () => {
    const { run } = singleRunFromFiles([
      'sub-s061_ses-2_task-discountFix_run-1_space-MNI152NLin2009cAsym_desc-preproc_bold.nii.gz',
      'sub-s061_ses-2_task-discountFix_run-1_events.tsv',
      'sub-s061_ses-2_task-discountFix_run-1_desc-confounds_timeseries.tsv',
    ]);
    expect(run).toMatchObject({ subject: 's061', session: '2', run: 1, space: 'MNI152NLin2009cAsym', derivative: true });
    expect(run!.confounds).toMatch(/confounds_timeseries/);
    expect(run!.events).toMatch(/_events\.tsv$/);
  });

  it('problems: no BOLD, several BOLD, no events', () => {
    expect(singleRunFromFiles(['e.tsv']).problems[0]!.code).toBe('SINGLE_NO_BOLD');
    const two = singleRunFromFiles(['a.nii.gz', 'b.nii.gz', 'e.tsv']);
    expect(two.run).toBeNull();
    expect(two.problems[0]!.code).toBe('SINGLE_AMBIGUOUS_BOLD');
    expect(two.problems[0]!.message).toContain('a.nii.gz');
    const noEv = singleRunFromFiles(['a.nii.gz']);
    expect(noEv.run!.events).toBeUndefined();
    expect(noEv.problems[0]!.code).toBe('BIDS_NO_EVENTS');
  });

  it('discoverAny falls back to single-run mode', () => {
    const r = discoverAny(['drop/func.nii.gz', 'drop/events.tsv']);
    expect(r.mode).toBe('single');
    expect(r.subjects[0]!.runs[0]!.bold).toBe('drop/func.nii.gz');
    expect(discoverAny(paths).mode).toBe('bids');
  });
});
