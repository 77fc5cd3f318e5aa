/**
 * Crash tests run a real `node` child on the compiled output (`dist/`), exactly what a gateway or
 * a platform host runs. `npm test` builds first; this says so clearly when the build is missing.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..', '..');

/** `file://` URL of a compiled module, e.g. `builtModule('platform/app/accounts')`. */
export function builtModule(path: string): string {
  const file = join(root, 'dist', `${path}.js`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (\`npm test\` does)`);
  return pathToFileURL(file).href;
}

/** Writes an ES module child script to a temporary directory and returns its path. */
export function writeChildScript(name: string, source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cellgate-child-'));
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** The project root, as the child's working directory (so node_modules resolve). */
export const projectRoot = root;
