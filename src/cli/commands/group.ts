/**
 * `ddmvpa group --out DIR [--json]`: merges the per-subject results that `ddmvpa run
 * --subject-index I` wrote into DIR/subjects/ (one SLURM array task each) into DIR/results.json
 * and its tables, with the group statistics over every subject. Usable by hand too.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DdError } from '../../core/errors.ts';
import { configToJson } from '../../core/pipeline/config.ts';
import { mergeResults } from '../../core/pipeline/merge.ts';
import { resultTables, type Results } from '../../core/pipeline/results.ts';
import { dirSink } from '../../platform/node/dir-sink.ts';
import { loadVolume3D } from '../../platform/node/load-image.ts';
import { requireFlag, type Args } from '../args.ts';
import type { CommandResult } from '../main.ts';
import { SUBJECT_PARTS_DIR } from './run.ts';

export async function group(args: Args): Promise<CommandResult> {
  const out = requireFlag(args, 'out', 'the output folder of the subject tasks (it holds subjects/sub-*.json)');
  const dir = join(out, SUBJECT_PARTS_DIR);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /^sub-.+\.json$/.test(n));
  } catch {
    names = [];
  }
  if (names.length === 0) {
    throw new DdError('GROUP_NO_PARTS', `${dir}: no per-subject results (sub-*.json). Run the subject tasks first: \`ddmvpa slurm … --submit\` or \`ddmvpa run … --out ${out} --subject-index I\`.`, { file: dir });
  }
  const parts: { file: string; results: Results }[] = [];
  for (const n of names) {
    const file = join(dir, n);
    try {
      parts.push({ file, results: JSON.parse(await readFile(file, 'utf8')) as Results });
    } catch (e) {
      throw new DdError('GROUP_BAD_PART', `${file}: not a readable results file (${(e as Error).message}). Delete it and rerun that subject's task.`, { file });
    }
  }
  // Plan order (discovery sorts subject labels naturally).
  const order = parts.flatMap((p) => p.results.subjects.map((s) => s.id)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const sink = dirSink(out);
  // Group t maps from the subject maps the tasks wrote under OUT/searchlight/.
  const results = await mergeResults(parts, order, {
    readMap: async (file) => {
      const v = await loadVolume3D(join(out, file));
      return { grid: { dims: v.dims, affine: v.affine }, data: Float32Array.from(v.data) };
    },
    onFile: (path, bytes) => sink.write(path, bytes),
  });
  await sink.write('results.json', JSON.stringify(results, null, 2) + '\n');
  for (const [name, text] of Object.entries(resultTables(results))) await sink.write(name, text);
  await sink.write('config.json', configToJson(results.provenance.config));
  const failed = results.subjects.filter((s) => s.decoding.length === 0 && s.errors.length > 0).map((s) => s.id);
  return {
    json: { out, results: join(out, 'results.json'), subjects: results.subjects.map((s) => s.id), failed, n_errors: results.errors.length },
    text: `merged ${parts.length} subject result(s) into ${join(out, 'results.json')}; ${results.errors.length} error(s)${failed.length ? ` (failed: ${failed.map((s) => `sub-${s}`).join(', ')})` : ''}`,
  };
}
