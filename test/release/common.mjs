// What every clean-install test shares: the released artifacts, the "user" venv made by scripts/test-release.mjs,
// and fresh work folders holding a copy of the demo notebook, nowhere near the checkout.
import { cpSync, mkdtempSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = process.env.CELLPIPE_RELEASE_DIST ?? join(repo, 'dist');
export const home = process.env.CELLPIPE_RELEASE_HOME;
if (!home) throw new Error('CELLPIPE_RELEASE_HOME is not set: run these tests with node scripts/test-release.mjs');
export const venvBin = join(home, 'venv', 'bin');
export const python = join(venvBin, 'python');

/** The one artifact in dist/ whose name starts with `prefix` and ends with `suffix`. */
export function artifact(prefix, suffix) {
  const found = readdirSync(dist).filter((name) => name.startsWith(prefix) && name.endsWith(suffix));
  if (found.length !== 1) throw new Error(`dist/ should hold one ${prefix}*${suffix}, found: ${found.join(', ')}`);
  return join(dist, found[0]);
}

/** A new folder under the test home with the demo notebook (examples/wine/wine.ipynb) copied in. */
export function workFolder(name) {
  const dir = mkdtempSync(join(home, `${name}-`));
  cpSync(join(repo, 'examples', 'wine', 'wine.ipynb'), join(dir, 'wine.ipynb'));
  return dir;
}

/** The environment of a user's shell: no repository paths, the user venv's tools and node on PATH. */
export function userEnv(extra = {}) {
  const path = (process.env.PATH ?? '').split(':').filter((dir) => !dir.startsWith(repo));
  return { ...process.env, PATH: [venvBin, dirname(process.execPath), ...path].join(':'), ...extra };
}
