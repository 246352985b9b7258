#!/usr/bin/env node
// `npm test`: installs what is missing, builds, then runs every suite (jest, pytest, the editors' end-to-end
// tests) and ends with one summary line, `N passed, N failed`. Exit code 1 when anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reports = join(root, 'test-results', 'reports');
const only = process.argv.slice(2);

function run(command, args, env = {}) {
  console.log(`\n$ ${[command, ...args].join(' ')}`);
  return spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;
}

function readJson(path) {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null;
}

function jestCounts(file) {
  const report = readJson(file);
  return (
    report && {
      passed: report.numPassedTests,
      failed: report.numFailedTests + report.numRuntimeErrorTestSuites,
      skipped: report.numPendingTests,
    }
  );
}

function jestFailures(file) {
  return (readJson(file)?.testResults ?? []).flatMap((result) => {
    const failed = (result.assertionResults ?? []).filter((test) => test.status === 'failed');
    if (failed.length === 0 && result.failureMessage) return [{ name: result.name, message: result.failureMessage }];
    return failed.map((test) => ({ name: test.fullName, message: test.failureMessages?.[0] ?? '' }));
  });
}

/** `not ok` entries of a TAP report with their YAML `error:` text. */
function tapFailures(file) {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.flatMap((line, index) => {
    const match = /^\s*not ok \d+ - (.*)$/.exec(line);
    if (!match) return [];
    const block = [];
    for (const next of lines.slice(index + 1)) {
      if (/^\s*\.\.\.$/.test(next)) break;
      block.push(next.trim());
    }
    const at = block.findIndex((entry) => entry.startsWith('error:'));
    const message =
      at < 0 ? '' : [block[at].replace(/^error:\s*(\|-)?\s*/, ''), ...block.slice(at + 1, at + 4)].join('\n');
    return [{ name: match[1], message }];
  });
}

/** Counts of an editor's UI test report (Playwright's JSON `stats`, which the VS Code reporter writes too). */
function editorCounts(file) {
  const stats = readJson(file)?.stats;
  return stats && { passed: stats.expected + stats.flaky, failed: stats.unexpected, skipped: stats.skipped };
}

/** Where scripts/e2e-cluster.mjs writes each editor's report on the cluster, beside its jest report. */
const clusterEditorReports = (file) =>
  ['jupyterlab', 'vscode'].map((editor) => file.replace(/\.json$/, `-${editor}.json`));

function playwrightFailures(suites) {
  return suites.flatMap((suite) => [
    ...(suite.specs ?? []).flatMap((spec) =>
      (spec.tests ?? []).flatMap((test) => {
        const result = (test.results ?? []).findLast((entry) => !['passed', 'skipped'].includes(entry.status));
        return test.status === 'unexpected' && result
          ? [{ name: spec.title, message: result.errors?.[0]?.message ?? result.status }]
          : [];
      }),
    ),
    ...playwrightFailures(suite.suites ?? []),
  ]);
}

/** Each suite runs its own runner and reports its counts from the runner's own report file. */
const suites = [
  ...[
    ['jest', 'jest.config.js'],
    ['jest:jupyterlab', 'jupyter-extension/jest.config.mjs'],
    ['jest:vscode', 'vscode-extension/jest.config.js'],
  ].map(([name, config]) => ({
    name,
    run: (file) =>
      run(process.execPath, [
        '--experimental-vm-modules',
        'node_modules/jest/bin/jest.js',
        '--ci',
        `--config=${config}`,
        '--json',
        `--outputFile=${file}`,
      ]),
    count: jestCounts,
    failures: jestFailures,
  })),
  ...[
    ['node:test', (reporters) => ['--test', ...reporters, 'bench/common']],
    // The released artifacts (npm run release) installed as a user would, away from the checkout.
    ['release', (reporters) => [join('scripts', 'test-release.mjs'), ...reporters]],
  ].map(([name, command]) => ({
    name,
    run: (file) =>
      run(
        process.execPath,
        command([
          '--test-reporter=spec',
          '--test-reporter-destination=stdout',
          '--test-reporter=tap',
          `--test-reporter-destination=${file}`,
        ]),
      ),
    count: (file) => {
      if (!existsSync(file)) return null;
      const tap = readFileSync(file, 'utf8');
      const total = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tap)?.[1] ?? 0);
      return { passed: total('pass'), failed: total('fail') + total('cancelled'), skipped: total('skipped') };
    },
    failures: tapFailures,
  })),
  {
    name: 'pytest',
    run: (file) => run(process.execPath, [join(root, 'scripts', 'pytest.mjs'), `--junitxml=${file}`]),
    count: (file) => {
      if (!existsSync(file)) return null;
      const suite = /<testsuite\b[^>]*>/.exec(readFileSync(file, 'utf8'))?.[0] ?? '';
      const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suite)?.[1] ?? 0);
      const failed = attr('failures') + attr('errors');
      return { passed: attr('tests') - failed - attr('skipped'), failed, skipped: attr('skipped') };
    },
    failures: (file) =>
      existsSync(file)
        ? [
            ...readFileSync(file, 'utf8').matchAll(
              /<testcase\b[^>]*\bname="([^"]*)"[^>]*>\s*<(?:failure|error)\b[^>]*\bmessage="([^"]*)"/g,
            ),
          ].map(([, name, message]) => ({ name, message }))
        : [],
  },
  ...['jupyterlab', 'vscode'].map((editor) => ({
    name: `e2e:${editor}`,
    run: (file) => run('npm', ['run', `e2e:${editor}`], { PLAYWRIGHT_JSON_OUTPUT_NAME: file }),
    count: editorCounts,
    failures: (file) => playwrightFailures(readJson(file)?.suites ?? []),
  })),
  {
    // The whole cluster loop: builds (cached) and starts the test cluster, runs test/cluster/ and each editor's
    // UI test on it, stops it.
    name: 'e2e:cluster',
    run: (file) => run('npm', ['run', 'e2e:cluster'], { CELLPIPE_CLUSTER_REPORT: file }),
    count: (file) => {
      const counts = jestCounts(file);
      if (!counts) return null;
      for (const editor of clusterEditorReports(file).map(editorCounts)) {
        // An editor's runner that crashed before reporting counts as one failure.
        const { passed, failed, skipped } = editor ?? { passed: 0, failed: 1, skipped: 0 };
        counts.passed += passed;
        counts.failed += failed;
        counts.skipped += skipped;
      }
      return counts;
    },
    failures: (file) => [
      ...jestFailures(file),
      ...clusterEditorReports(file).flatMap((report) => playwrightFailures(readJson(report)?.suites ?? [])),
    ],
  },
];

if (run(process.execPath, [join(root, 'scripts', 'setup.mjs')]) !== 0) process.exit(1);
if (run('npm', ['run', '--silent', 'build', '-w', 'packages/cli']) !== 0) process.exit(1);

rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
const failures = [];
for (const suite of suites.filter((s) => only.length === 0 || only.includes(s.name))) {
  const file = join(reports, `${suite.name.replace(':', '-')}.json`);
  const status = suite.run(file);
  const counts = suite.count(file) ?? { passed: 0, failed: 1, skipped: 0 };
  // A runner that crashed before reporting, or exited non-zero with no failing test, still counts as a failure.
  if (status !== 0 && counts.failed === 0) counts.failed = 1;
  for (const failure of suite.failures(file)) failures.push({ suite: suite.name, ...failure });
  lines.push(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  for (const key of Object.keys(totals)) totals[key] += counts[key];
}
// Why each test failed, a few lines each, so the end of a CI log says what broke without the reports.
for (const { suite, name, message } of failures) {
  const text = message
    .replace(/\u001b\[[0-9;]*m/g, '')
    .trim()
    .split('\n')
    .slice(0, 4)
    .join('\n    ');
  console.log(`\nFAILED ${suite} › ${name}\n    ${text}`);
}
console.log(`\n${lines.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed === 0 ? 0 : 1);
