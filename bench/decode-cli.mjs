// Runs the bundled CLI of a ddmvpa checkout (build/cli, `npm run build:cli`) directly:
//   node bench/decode-cli.mjs ROOT decode ...
// bin/ddmvpa.mjs falls back to the TypeScript sources (tsx, ~0.15 s slower to start) whenever any
// file under src/ is newer than the bundle, e.g. while someone edits the tree during a benchmark.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [root, ...args] = process.argv.slice(2);
const bundle = resolve(root, 'build/cli/node/main.mjs');
if (!existsSync(bundle)) {
  process.stderr.write(`${bundle} is missing: run npm run build:cli in ${root}\n`);
  process.exit(2);
}
const { main } = await import(pathToFileURL(bundle).href);
process.exitCode = await main(args);
