#!/usr/bin/env node
// End-to-end test of the VS Code extension in a real VS Code (code-server) driven by headless Debian Chromium.
// Installs what it needs on a fresh machine (Debian packages, code-server into a cache folder), reuses the cache,
// builds and packages the extension, then runs the Playwright tests in test/e2e/vscode/.
// Usage: node scripts/e2e-vscode.mjs [--install-only] [--keep] [--cluster]
// --cluster: the test on the test cluster instead (test/e2e/vscode/cluster.e2e.mjs; scripts/e2e-cluster.mjs runs it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CODE_SERVER_VERSION = '4.100.3';
// code-server@4.100.3 pins @vscode/ripgrep@1.15.11, whose postinstall looks for this archive before downloading.
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_ASSET = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const APT_PACKAGES = ['libkrb5-dev', 'pkg-config', 'ripgrep', 'chromium', 'g++', 'make'];

const cacheRoot = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'cellpipe-e2e');
const codeServerHome = join(cacheRoot, `code-server-${CODE_SERVER_VERSION}`);
const codeServerBin = join(codeServerHome, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const installedMarker = join(codeServerHome, '.installed');

function log(message) {
  console.log(`[e2e-vscode] ${message}`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

function missingAptPackages() {
  return APT_PACKAGES.filter((name) => {
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return !result.stdout?.includes('install ok installed');
  });
}

function installAptPackages() {
  const missing = missingAptPackages();
  if (missing.length === 0) return;
  log(`installing Debian packages: ${missing.join(' ')}`);
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = (args) => (asRoot.length ? run('sudo', ['apt-get', ...args]) : run('apt-get', args));
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync(asRoot.length ? 'sudo' : 'apt-get', [...(asRoot.length ? ['apt-get'] : []), 'update', '-q'], {
    stdio: 'inherit',
    env,
  });
  apt(['install', '-y', '-q', ...missing]);
}

// @vscode/ripgrep's postinstall downloads rg from GitHub unless it finds this archive; seed it with Debian's rg.
function seedRipgrepCache() {
  const dir = join(tmpdir(), `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  const archive = join(dir, RIPGREP_ASSET);
  if (existsSync(archive)) return;
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'cellpipe-rg-'));
  run('cp', ['/usr/bin/rg', join(staging, 'rg')]);
  run('tar', ['czf', `${archive}.tmp`, '-C', staging, 'rg']);
  renameSync(`${archive}.tmp`, archive);
  rmSync(staging, { recursive: true, force: true });
}

export function installCodeServer() {
  installAptPackages();
  if (existsSync(installedMarker) && existsSync(codeServerBin)) {
    log(`code-server ${CODE_SERVER_VERSION} cached in ${codeServerHome}`);
    return codeServerBin;
  }
  seedRipgrepCache();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${codeServerHome} (several minutes)`);
  rmSync(codeServerHome, { recursive: true, force: true });
  mkdirSync(codeServerHome, { recursive: true });
  // Its own package.json so the install never touches the product's workspaces or lockfile.
  writeFileSync(
    join(codeServerHome, 'package.json'),
    JSON.stringify({ name: 'cellpipe-e2e-code-server', private: true }, null, 2),
  );
  run(
    'npm',
    [
      'install',
      '--no-fund',
      '--no-audit',
      '--no-package-lock',
      // code-server and its native modules (kerberos, node-pty, argon2) build in install scripts; this folder is a
      // test tool cache holding nothing else, so its scripts may run.
      '--dangerously-allow-all-scripts',
      `code-server@${CODE_SERVER_VERSION}`,
    ],
    {
      cwd: codeServerHome,
      env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true', npm_config_workspaces: 'false' },
    },
  );
  if (!existsSync(codeServerBin)) throw new Error(`code-server install did not produce ${codeServerBin}`);
  writeFileSync(installedMarker, `${new Date().toISOString()}\n`);
  return codeServerBin;
}

/** The repository's own tools (esbuild, vsce, playwright-core) and the Python venv the example runs in. */
function ensureRepositoryTools() {
  const missing = ['esbuild', '@vscode/vsce', 'playwright-core'].filter(
    (name) => !existsSync(join(repo, 'node_modules', name, 'package.json')),
  );
  if (missing.length > 0) {
    log(`installing npm workspace dependencies (${missing.join(', ')} missing)`);
    run('flock', ['/tmp/cellpipe-npm.lock', 'npm', 'install', '--no-fund', '--no-audit'], { cwd: repo });
  }
  // Cheap when the venv is current: setup.mjs compares a stamp of the requirement files.
  run(process.execPath, [join(repo, 'scripts', 'setup.mjs'), '--quiet'], { cwd: repo });
}

function buildExtension() {
  log('building and packaging the extension');
  run('npm', ['run', 'package', '-w', 'vscode-extension'], { cwd: repo });
  const manifest = JSON.parse(readFileSync(join(repo, 'vscode-extension', 'package.json'), 'utf8'));
  const vsix = join(repo, 'vscode-extension', 'dist', `${manifest.name}-${manifest.version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`packaging did not produce ${vsix}`);
  return vsix;
}

function main() {
  const args = new Set(process.argv.slice(2));
  const bin = installCodeServer();
  if (args.has('--install-only')) return 0;
  ensureRepositoryTools();
  const vsix = buildExtension();
  const result = spawnSync(
    process.execPath,
    [
      '--test',
      '--test-concurrency=1',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      `--test-reporter=${join(repo, 'test', 'e2e', 'vscode', 'statsReporter.mjs')}`,
      '--test-reporter-destination=stdout',
      // `--test-name-pattern=…` picks tests, as `npm run e2e:vscode -- --test-name-pattern=undo` does.
      ...[...args].filter((arg) => arg.startsWith('--test-name-pattern=')),
      join(repo, 'test', 'e2e', 'vscode', args.has('--cluster') ? 'cluster.e2e.mjs' : 'extension.e2e.mjs'),
    ],
    {
      cwd: repo,
      stdio: 'inherit',
      env: {
        ...process.env,
        CELLPIPE_CODE_SERVER: bin,
        CELLPIPE_VSIX: vsix,
        CELLPIPE_E2E_KEEP: args.has('--keep') ? '1' : '',
      },
    },
  );
  return result.status ?? 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`[e2e-vscode] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
