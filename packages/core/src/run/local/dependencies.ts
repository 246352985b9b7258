import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { StepDependencies } from '../../compile/step/spec.js';

/** Files up to this size are fingerprinted by content; the runtime uses the same limit (cellpipe/dependencies.py). */
const CONTENT_LIMIT = 8 * 1024 * 1024;

/** The file's fingerprint in the runtime's format (content when small, size and times when big); undefined if it is gone. */
export function fileFingerprint(path: string): string | undefined {
  return Private.fingerprint(path);
}

/** The recorded fingerprint of a file as the runtime wrote it (a `stat:` one is compared by stat, never by content). */
export function sameFingerprint(path: string, recorded: string): boolean {
  if (recorded.startsWith('stat:')) return Private.statFingerprint(path) === recorded;
  return fileFingerprint(path) === recorded;
}

/** True while every file a cached step read still has the fingerprint it had then. */
export function dependenciesCurrent(dependencies: StepDependencies | undefined): boolean {
  if (!dependencies) return true;
  return Object.entries(dependencies.files ?? {}).every(([path, recorded]) => sameFingerprint(path, recorded));
}

namespace Private {
  export function statFingerprint(path: string): string | undefined {
    try {
      const stat = statSync(path, { bigint: true });
      return `stat:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
    } catch {
      return undefined;
    }
  }

  export function fingerprint(path: string): string | undefined {
    let size: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) return undefined;
      size = stat.size;
    } catch {
      return undefined;
    }
    if (size > CONTENT_LIMIT) return statFingerprint(path);
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(1 << 20);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer))
        hash.update(buffer.subarray(0, read));
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    return `sha256:${hash.digest('hex')}`;
  }
}
