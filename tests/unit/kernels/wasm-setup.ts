// Vitest global setup: make sure public/wasm/ddmvpa.wasm exists and is newer than assembly/*.ts
// and asconfig.json (a stale module would test old kernels). Builds to a temp file and renames,
// so concurrent test runs never see a half-written module.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export default function setup(): void {
  const out = join(root, 'public/wasm/ddmvpa.wasm');
  const sources = [join(root, 'asconfig.json'), ...readdirSync(join(root, 'assembly')).filter((f) => f.endsWith('.ts')).map((f) => join(root, 'assembly', f))];
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest) return;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = join(dirname(out), `.ddmvpa.${process.pid}.wasm`);
  execFileSync(process.execPath, [join(root, 'node_modules/assemblyscript/bin/asc.js'), 'assembly/index.ts', '--config', 'asconfig.json', '--target', 'release', '--outFile', tmp], { cwd: root, stdio: 'inherit' });
  renameSync(tmp, out);
}
