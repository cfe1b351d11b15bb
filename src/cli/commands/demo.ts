import { createGzip, constants } from 'node:zlib';
import { Duplex } from 'node:stream';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DdError } from '../../core/errors.ts';
import { writeDemoDataset } from '../../core/demo/dataset.ts';
import type { DemoSize } from '../../core/demo/spec.ts';
import { dirSink } from '../../platform/node/dir-sink.ts';
import { flag, has, numberFlag, requireFlag, type Args } from '../args.ts';
import type { CommandResult } from '../main.ts';

/** `ddmvpa demo --out DIR [--subjects N] [--size small|full] [--seed S]` */
export async function demo(args: Args): Promise<CommandResult> {
  const out = requireFlag(args, 'out', 'the folder to write the demo dataset into, e.g. --out demo-data');
  const size = (flag(args, 'size') ?? 'small') as DemoSize;
  if (size !== 'small' && size !== 'full') throw new DdError('ARGS_BAD_VALUE', `--size must be small or full, got "${size}".`);
  const subjects = numberFlag(args, 'subjects', size === 'full' ? 1 : 4);
  if (!Number.isInteger(subjects) || subjects < 1 || subjects > 200) throw new DdError('ARGS_BAD_VALUE', `--subjects must be an integer from 1 to 200, got ${subjects}.`);
  const seed = numberFlag(args, 'seed', 1);
  if (has(args, 'if-missing') && existsSync(join(out, 'truth.json'))) {
    return { json: { out, skipped: true }, text: `demo dataset already in ${out} (delete it to regenerate)` };
  }
  const started = Date.now();
  let last = 0;
  const truth = await writeDemoDataset(dirSink(out), {
    subjects, size, seed,
    // zlib level 1, as nibabel writes .nii.gz; several times faster than the default level.
    gzip: () => Duplex.toWeb(createGzip({ level: 1, chunkSize: 1 << 20, strategy: constants.Z_DEFAULT_STRATEGY })) as unknown as TransformStream<Uint8Array, Uint8Array>,
    onProgress: ({ subject, done, total }) => {
      if (Date.now() - last > 2000 || done === total) {
        last = Date.now();
        process.stderr.write(`demo: sub-${subject} volume ${done}/${total}\n`);
      }
    },
  });
  const seconds = (Date.now() - started) / 1000;
  return {
    json: { out, size, seed, subjects: truth.subjects.map((s) => s.id), seconds },
    text: `wrote a ${size} demo dataset with ${subjects} subject(s) to ${out} in ${seconds.toFixed(1)} s (planted effects in ${join(out, 'truth.json')})`,
  };
}
