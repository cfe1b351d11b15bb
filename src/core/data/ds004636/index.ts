/**
 * The real discountFix events of 30 ds004636 subjects (OpenNeuro, CC0), bundled as string
 * constants (events.generated.ts, made by scripts/bundle-events.mjs) so the demo generator and the
 * app get them in every host without fs or fetch. See README.md in this folder.
 *
 * Subject ids are BIDS labels without `sub-` (as in RunLayout.subject); `sub-s061` is accepted too.
 */
import { DdError } from '../../errors.ts';
import { EVENTS_TSV } from './events.generated.ts';

export interface BundledSubject {
  /** BIDS label without `sub-`, e.g. `s061`. */
  id: string;
  /** Session of the discountFix run, e.g. `ses-2`. */
  session: string;
  /** Events file name (as in the dataset). */
  file: string;
  /** MRIQC `size_t`: number of BOLD volumes of the real run (TR 0.68 s). */
  volumes: number;
  /** `clean` passes every check; otherwise the edge case it carries. */
  category: 'clean' | 'edge';
  note?: string;
}

export const DS004636_TR = 0.68;
export const DS004636_DOI = '10.18112/openneuro.ds004636.v1.0.2';

const META: Record<string, { session: string; volumes: number }> = {
  s061: { session: 'ses-2', volumes: 956 },
  s130: { session: 'ses-1', volumes: 921 },
  s251: { session: 'ses-2', volumes: 940 },
  s358: { session: 'ses-2', volumes: 947 },
  s373: { session: 'ses-2', volumes: 948 },
  s445: { session: 'ses-3', volumes: 923 },
  s465: { session: 'ses-2', volumes: 940 },
  s471: { session: 'ses-2', volumes: 925 },
  s483: { session: 'ses-1', volumes: 926 },
  s491: { session: 'ses-2', volumes: 1065 },
  s495: { session: 'ses-2', volumes: 1065 },
  s497: { session: 'ses-1', volumes: 933 },
  s512: { session: 'ses-1', volumes: 938 },
  s513: { session: 'ses-3', volumes: 900 },
  s524: { session: 'ses-1', volumes: 940 },
  s525: { session: 'ses-1', volumes: 940 },
  s526: { session: 'ses-1', volumes: 926 },
  s541: { session: 'ses-2', volumes: 928 },
  s546: { session: 'ses-2', volumes: 962 },
  s548: { session: 'ses-1', volumes: 930 },
  s549: { session: 'ses-1', volumes: 933 },
  s553: { session: 'ses-1', volumes: 964 },
  s554: { session: 'ses-2', volumes: 940 },
  s555: { session: 'ses-2', volumes: 952 },
  s556: { session: 'ses-2', volumes: 924 },
  s561: { session: 'ses-1', volumes: 984 },
  s570: { session: 'ses-2', volumes: 957 },
  s573: { session: 'ses-1', volumes: 918 },
  s586: { session: 'ses-1', volumes: 933 },
  s650: { session: 'ses-1', volumes: 975 },
};

const EDGE_NOTES: Record<string, string> = {
  s445: 'excluded for MRIQC_fail in suggested_exclusions.csv',
  s465: 'all 120 choices larger_later (degenerate)',
  s491: 'last onset 870.99 s, beyond the 724.2 s run (22 events end after the scan)',
  s495: 'last onset 735.04 s, beyond the 724.2 s run (3 events end after the scan)',
  s513: '114 smaller_sooner, 0 larger_later, 6 missed (degenerate)',
  s524: '36 missed (1 SS / 83 LL); k at the lower bound',
  s556: '119 rows, first onset negative (−1.274 s)',
  s573: 'choices not fit by the hyperbolic model (near chance, k at bound)',
  s586: 'all 120 choices smaller_sooner (degenerate)',
  s650: '57 missed (30 SS / 33 LL); fit at bounds',
};

/** The 20 subjects that pass every check (jmumford subject_status.csv), in id order. */
export const CLEAN_SUBJECT_IDS: readonly string[] = [
  's061', 's130', 's251', 's358', 's373', 's471', 's483', 's497', 's512', 's525',
  's526', 's541', 's546', 's548', 's549', 's553', 's554', 's555', 's561', 's570',
];

/** All 30 bundled subjects (20 clean + 10 edge cases), in id order. */
export const BUNDLED_SUBJECTS: readonly BundledSubject[] = Object.keys(META).sort().map((id) => {
  const m = META[id]!;
  const s: BundledSubject = {
    id, session: m.session, file: `sub-${id}_${m.session}_task-discountFix_run-1_events.tsv`, volumes: m.volumes,
    category: CLEAN_SUBJECT_IDS.includes(id) ? 'clean' : 'edge',
  };
  if (EDGE_NOTES[id]) s.note = EDGE_NOTES[id];
  return s;
});

/** Events TSV text of a bundled subject (`s061` or `sub-s061`). Throws DATA_UNKNOWN_SUBJECT. */
export function bundledEvents(subjectId: string): string {
  const id = subjectId.replace(/^sub-/, '');
  const s = BUNDLED_SUBJECTS.find((b) => b.id === id);
  const text = s ? EVENTS_TSV[s.file] : undefined;
  if (!s || text === undefined) {
    throw new DdError(
      'DATA_UNKNOWN_SUBJECT',
      `No bundled ds004636 events for subject '${subjectId}'. Use one of ${BUNDLED_SUBJECTS.map((b) => b.id).join(', ')}.`,
    );
  }
  return text;
}

/** File name (as in the dataset) of a bundled subject's events, for messages and provenance. */
export function bundledEventsFile(subjectId: string): string {
  const id = subjectId.replace(/^sub-/, '');
  const s = BUNDLED_SUBJECTS.find((b) => b.id === id);
  if (!s) bundledEvents(subjectId);
  return s!.file;
}
