/**
 * Share links: the analysis settings in the page's URL, through the pipeline's one config schema
 * (src/core/pipeline/config.ts: toSearchParams / fromSearchParams), so a link opens the same
 * settings here and maps onto the same `ddmvpa run` flags. Only settings travel in a link, never
 * data (the files stay on the machine that opened them).
 *
 * The form's settings map onto Config: ROIs → rois, estimator → patterns.estimator, confound
 * preset → patterns.confounds. The form's "Automatic" preset (the best one the run's files
 * allow) is the config default, so it is simply absent from a link; an explicitly chosen preset
 * is always written, even when it equals the default, so the round trip is exact. Every other
 * config field of an opened link (targets, permutations, model, seed, …) is kept as it came.
 */
import { DdError } from '../core/errors.ts';
import type { ConfoundPreset } from '../core/bids/confounds.ts';
import type { Estimator } from '../core/design/index.ts';
import { defaultConfig, fromSearchParams, toSearchParams, WHOLE_BRAIN_ROI, type Config } from '../core/pipeline/config.ts';
import { BUILTIN_ROI_NAMES } from '../core/roi/index.ts';

export interface FormSettings {
  rois: string[];
  estimator: Estimator;
  preset: ConfoundPreset | 'auto';
}

export const DEFAULT_FORM: FormSettings = { rois: ['vmpfc', 'nacc_l', WHOLE_BRAIN_ROI], estimator: 'lss', preset: 'auto' };

const PRESET_KEY = 'preset';

export interface OpenedLink {
  form: FormSettings;
  /** The full config of the link (defaults where the link says nothing). */
  config: Config;
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
  if ([...params.keys()].length === 0) {
    return { form: { ...DEFAULT_FORM, rois: [...DEFAULT_FORM.rois] }, config: defaultConfig(), notes: [], error: null, fromLink: false };
  }
  let config: Config;
  try {
    config = fromSearchParams(params);
  } catch (e) {
    const err = e instanceof DdError ? { code: e.code, message: e.message } : { code: 'CONFIG_BAD_VALUE', message: String((e as Error)?.message ?? e) };
    return { form: { ...DEFAULT_FORM, rois: [...DEFAULT_FORM.rois] }, config: defaultConfig(), notes: [], error: err, fromLink: true };
  }
  const known = new Set<string>([...BUILTIN_ROI_NAMES, WHOLE_BRAIN_ROI]);
  const rois = config.rois.filter((r) => known.has(r));
  const skipped = config.rois.filter((r) => !known.has(r));
  const notes = skipped.length
    ? [`The link names ROI${skipped.length > 1 ? 's' : ''} this page cannot load (${skipped.join(', ')}): use the command line (ddmvpa run --roi …) for ROI files and custom spheres.`]
    : [];
  const preset = params.has(PRESET_KEY) ? config.patterns.confounds : 'auto';
  return { form: { rois, estimator: config.patterns.estimator, preset }, config, notes, error: null, fromLink: true };
}

/** The config with the form's settings applied. */
export function applyForm(base: Config, form: FormSettings): Config {
  const c = structuredClone(base);
  c.rois = form.rois.length ? [...form.rois] : c.rois;
  c.patterns.estimator = form.estimator;
  c.patterns.confounds = form.preset === 'auto' ? defaultConfig().patterns.confounds : form.preset;
  return c;
}

/** Query string (with `?`, or '' for all defaults) of the form's settings over a base config. */
export function shareSearch(base: Config, form: FormSettings): string {
  const params = toSearchParams(applyForm(base, form));
  params.delete(PRESET_KEY);
  if (form.preset !== 'auto') params.set(PRESET_KEY, form.preset);
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The full share link for a page at `href`. */
export function shareUrl(href: string, base: Config, form: FormSettings): string {
  const u = new URL(href);
  u.search = shareSearch(base, form);
  u.hash = '';
  return u.href;
}
