// What machine a benchmark ran on, for the header of RESULTS.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { basename } from 'node:path';

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function osName() {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readText('/etc/os-release'))?.[1];
  return `${pretty ?? process.platform}, kernel ${release()}`;
}

function pythonVersion(python) {
  if (!existsSync(python)) return `not found (${python})`;
  const result = spawnSync(python, ['--version'], { encoding: 'utf8' });
  return (result.stdout || result.stderr).trim() || `unknown (${python})`;
}

/** The block device and file system that hold `path`, from /proc/mounts and /sys/block. */
export function diskOf(path) {
  const target = realpathSync(path);
  const mounts = readText('/proc/mounts')
    .split('\n')
    .map((line) => line.split(' '))
    .filter(
      (fields) =>
        fields.length >= 3 && (target === fields[1] || target.startsWith(fields[1] === '/' ? '/' : `${fields[1]}/`)),
    )
    .sort((a, b) => b[1].length - a[1].length);
  const [device, mountPoint, fsType] = mounts[0] ?? ['unknown', '/', 'unknown'];
  // A partition (vda1, nvme0n1p2) reports its size under its own name but its queue under the whole disk.
  const names = [basename(device), basename(device).replace(/p?\d+$/, '')];
  const sys = `/sys/block/${names.find((name) => existsSync(`/sys/block/${name}`)) ?? names[0]}`;
  const sectors = Number(readText(`${sys}/size`).trim());
  const rotational = readText(`${sys}/queue/rotational`).trim();
  const model = readText(`${sys}/device/model`).trim();
  const parts = [`${device} (${fsType}) mounted on ${mountPoint}`];
  if (sectors) parts.push(`${Math.round((sectors * 512) / 2 ** 30)} GiB`);
  if (model) parts.push(model);
  if (rotational) parts.push(rotational === '1' ? 'rotational' : 'non-rotational');
  return parts.join(', ');
}

export function machineInfo({ python, workDir }) {
  const cpuList = cpus();
  return {
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: osName(),
    node: process.version,
    python: pythonVersion(python),
    disk: diskOf(workDir),
    load: loadavg()
      .map((value) => value.toFixed(2))
      .join(' / '),
  };
}
