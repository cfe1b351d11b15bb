/**
 * The setup form's state: a draft of the whole config (what the controls show, possibly invalid
 * while being typed), the form's own "Automatic" confound preset, and the ROI files given to the
 * page. `check` validates the draft through the schema on every change; only a valid config
 * reaches a run or a share link.
 */
import type { ConfoundPreset } from '../../core/bids/confounds.ts';
import type { Config } from '../../core/pipeline/config.ts';
import { defaultForm, isFileRoi, type FormState } from '../share.ts';
import { checkDraft, getAt, setAt, type FormCheck } from './fields.ts';
import { parseRoiSpec } from '../../core/roi/index.ts';

export class SetupState {
  draft = $state<Config>(defaultForm().config);
  preset = $state<ConfoundPreset | 'auto'>('auto');
  /** ROI mask / atlas files by the path their spec names (the file's name). */
  roiFiles = $state.raw<ReadonlyMap<string, File>>(new Map());
  readonly check: FormCheck = $derived(checkDraft(this.draft));
  /** The form as a valid FormState, or null while a field is invalid. */
  readonly form: FormState | null = $derived(this.check.config ? { config: this.check.config, preset: this.preset } : null);

  constructor(form: FormState) {
    this.draft = structuredClone(form.config);
    this.preset = form.preset;
  }

  get(path: string): unknown {
    return getAt(this.draft, path);
  }

  set(path: string, value: unknown): void {
    setAt(this.draft as unknown as Record<string, unknown>, path, value);
  }

  /** The schema's defaults (the page's starting ROIs); ROI files already given are kept for re-adding. */
  reset(): void {
    const f = defaultForm();
    this.draft = f.config;
    this.preset = f.preset;
  }

  /** Appends an ROI spec (its name already checked unique); a mask / atlas spec brings its file. */
  addRoi(spec: string, file?: File): void {
    this.draft.rois = [...this.draft.rois, spec];
    if (file) {
      const path = (parseRoiSpec(spec) as { path: string }).path;
      this.roiFiles = new Map([...this.roiFiles, [path, file]]);
    }
  }

  removeRoi(spec: string): void {
    this.draft.rois = this.draft.rois.filter((r) => r !== spec);
  }

  /** File ROIs of the list whose file this page does not have (e.g. opened from a link). */
  missingFiles(): string[] {
    return this.draft.rois.filter((spec) => isFileRoi(spec) && !this.roiFiles.has((parseRoiSpec(spec) as { path: string }).path));
  }

  /** The ROI files the current ROI list names (what a run must be given). */
  filesInUse(): { path: string; file: File }[] {
    const out: { path: string; file: File }[] = [];
    for (const spec of this.draft.rois) {
      if (!isFileRoi(spec)) continue;
      const path = (parseRoiSpec(spec) as { path: string }).path;
      const file = this.roiFiles.get(path);
      if (file && !out.some((o) => o.path === path)) out.push({ path, file });
    }
    return out;
  }
}
