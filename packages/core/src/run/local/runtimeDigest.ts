import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runtimeSourcePaths } from '../../compile/step/runtimeFiles.js';
import { writeJsonAtomic } from './atomic.js';

/**
 * The step runtime's version for cache keys: a digest of its sources under `root`. Remembered in `memoPath` by each
 * file's size and modification time (as Python's own .pyc check does), so an unchanged runtime is not read again.
 */
export function runtimeDigest(root: string, memoPath: string): string {
  const paths = runtimeSourcePaths(root);
  const stamp = JSON.stringify(
    paths.map((path) => {
      const stat = statSync(join(root, path));
      return [path, stat.size, stat.mtimeMs];
    }),
  );
  try {
    const memo = JSON.parse(readFileSync(memoPath, 'utf8')) as { root?: string; stamp?: string; digest?: string };
    if (memo.root === root && memo.stamp === stamp && memo.digest) return memo.digest;
  } catch {
    // Not remembered yet, or unreadable: read the sources.
  }
  const hash = createHash('sha256');
  for (const path of paths)
    hash
      .update(path)
      .update('\0')
      .update(readFileSync(join(root, path)))
      .update('\0');
  const digest = hash.digest('hex');
  try {
    mkdirSync(dirname(memoPath), { recursive: true });
    writeJsonAtomic(memoPath, { root, stamp, digest });
  } catch {
    // A read-only folder still runs; it only reads the sources every time.
  }
  return digest;
}
