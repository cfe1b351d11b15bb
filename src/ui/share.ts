/**
 * Share links: the analysis settings in the page's URL, through the pipeline's one config schema
 * (src/core/pipeline/config.ts: toSearchParams / fromSearchParams), so a link opens the same
 * settings here and maps onto the same `ddmvpa run` flags. Only settings travel in a link, never
 * data (the files stay on the machine that opened them).
 *
 * The setup form edits a whole Config plus one thing of its own: the "Automatic" confound preset
 * (the best one the run's files allow), which is the config default and so absent from a link;
 * an explicitly chosen preset is always written, even when it equals the default, so the round
 * trip is exact. ROIs read from files (NAME=mask.nii.gz, NAME=atlas.nii.gz:L) are data and stay
 * out of links; built-ins and custom spheres (numbers only) travel.
 */
import { DdError } from '../core/errors.ts';
import type { ConfoundPreset } from '../core/bids/confounds.ts';
import { defaultConfig, FIELDS, fromSearchParams, toSearchParams, WHOLE_BRAIN_ROI, type Config } from '../core/pipeline/config.ts';
import { parseRoiSpec } from '../core/roi/index.ts';

export interface FormState {
  /** Every setting of the analysis (valid: the form only hands over checked configs). */
  config: Config;
  /** 'auto' = the best preset the run's files allow (the config default when run). */
  preset: ConfoundPreset | 'auto';
}

/** The page starts with three ROIs (a quick first extraction), not the schema's ten. */
export const DEFAULT_ROIS: readonly string[] = ['vmpfc', 'nacc_l', WHOLE_BRAIN_ROI];

/** The settings a fresh page opens with (also "Reset to defaults"). */
export function defaultForm(): FormState {
  const config = defaultConfig();
  config.rois = [...DEFAULT_ROIS];
  return { config, preset: 'auto' };
}

const PRESET_KEY = FIELDS.find((f) => f.path === 'patterns.confounds')!.flag;
const ROI_KEY = FIELDS.find((f) => f.path === 'rois')!.flag;

/** ROI specs that read a file (mask or atlas): data, never in a link. */
export function isFileRoi(spec: string): boolean {
  if (spec === WHOLE_BRAIN_ROI) return false;
  try {
    const k = parseRoiSpec(spec).kind;
    return k === 'mask' || k === 'atlas';
  } catch {
    return false;
  }
}

export interface OpenedLink {
  form: FormState;
  /** Things of the link this page could not use (e.g. ROI files), one sentence each. */
  notes: string[];
  /** The link was broken: its DdError (code + message); the defaults are used. */
  error: { code: string; message: string } | null;
  /** The URL had settings at all. */
  fromLink: boolean;
}

/** The settings of a page URL's query string (`location.search`). */
export function openLink(search: string): OpenedLink {
  const params = new URLSearchParams(search);
  if ([...params.keys()].length === 0) return { form: defaultForm(), notes: [], error: null, fromLink: false };
  let config: Config;
  try {
    config = fromSearchParams(params);
  } catch (e) {
    const err = e instanceof DdError ? { code: e.code, message: e.message } : { code: 'CONFIG_BAD_VALUE', message: String((e as Error)?.message ?? e) };
    return { form: defaultForm(), notes: [], error: err, fromLink: true };
  }
  // A hand-written link may name ROI files: the files are not here, so they are left out.
  const files = config.rois.filter(isFileRoi);
  const notes = files.length
    ? [`The link names ROI file${files.length > 1 ? 's' : ''} (${files.join(', ')}), which a link cannot carry: add ${files.length > 1 ? 'them' : 'it'} again with "Add a custom ROI" and the file from your computer.`]
    : [];
  if (files.length) {
    const rest = config.rois.filter((r) => !isFileRoi(r));
    config.rois = rest.length ? rest : [...DEFAULT_ROIS];
  }
  const preset = params.has(PRESET_KEY) ? config.patterns.confounds : 'auto';
  return { form: { config, preset }, notes, error: null, fromLink: true };
}

/** The config a run uses: the form's, with the Automatic preset resolved to the default. */
export function formConfig(form: FormState): Config {
  const c = structuredClone(form.config);
  if (form.preset === 'auto') c.patterns.confounds = defaultConfig().patterns.confounds;
  else c.patterns.confounds = form.preset;
  return c;
}

/** Query string (with `?`, or '' for all defaults) of the form's settings; ROI files are left out. */
export function shareSearch(form: FormState): string {
  const c = formConfig(form);
  const rois = c.rois.filter((r) => !isFileRoi(r));
  c.rois = rois.length ? rois : [...DEFAULT_ROIS];
  const params = toSearchParams(c);
  // The ROI list is always written: a link without one would open the page's own three ROIs,
  // not the schema's ten, so the schema default has to be spelled out too.
  params.delete(ROI_KEY);
  for (const r of c.rois) params.append(ROI_KEY, r);
  params.delete(PRESET_KEY);
  if (form.preset !== 'auto') params.set(PRESET_KEY, form.preset);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The full share link for a page at `href`. */
export function shareUrl(href: string, form: FormState): string {
  const u = new URL(href);
  u.search = shareSearch(form);
  u.hash = '';
  return u.href;
}
