// Sequential disk speed of the file system holding a folder: write a file with fsync, drop the page cache
// (root only), read it back. This is the physical limit the transfer benchmark compares against.
import { randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const CHUNK = 8 * 2 ** 20;

/** Asks the kernel to drop clean page-cache pages; false when not permitted (not root, read-only /proc). */
export function dropPageCache() {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3\n');
    return true;
  } catch {
    return false;
  }
}

/** Measures in `dir`; returns seconds and bytes/s for the write (fsync included) and the read-back. */
export function measureDisk(dir, bytes = 2 ** 30) {
  const path = join(dir, `cellpipe-disk-speed-${process.pid}.bin`);
  // Random bytes so no layer below can compress or deduplicate them.
  const chunk = randomFillSync(Buffer.allocUnsafe(CHUNK));
  try {
    const writeStart = process.hrtime.bigint();
    const out = openSync(path, 'w');
    for (let written = 0; written < bytes; written += CHUNK) writeSync(out, chunk, 0, Math.min(CHUNK, bytes - written));
    fsyncSync(out);
    closeSync(out);
    const writeSeconds = Number(process.hrtime.bigint() - writeStart) / 1e9;

    const cacheDropped = dropPageCache();
    const readStart = process.hrtime.bigint();
    const input = openSync(path, 'r');
    while (readSync(input, chunk, 0, CHUNK, null) > 0);
    closeSync(input);
    const readSeconds = Number(process.hrtime.bigint() - readStart) / 1e9;
    return {
      bytes,
      writeSeconds,
      readSeconds,
      writeRate: bytes / writeSeconds,
      readRate: bytes / readSeconds,
      /** Moving `bytes` through the disk once: write it, then read it back. */
      roundTripRate: bytes / (writeSeconds + readSeconds),
      cacheDropped,
    };
  } finally {
    rmSync(path, { force: true });
  }
}
