// The JupyterLab wheel pip-installed into the user venv: a real `jupyter server` from there, whose cellpipe server
// extension lists runs, refuses a Python chosen by the request, and runs the demo notebook to success.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { userEnv, venvBin, workFolder } from './common.mjs';

const token = randomBytes(16).toString('hex');
let server;
let base;
let log = '';

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

async function api(path, options = {}) {
  const response = await fetch(`${base}/${path}`, {
    ...options,
    headers: { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
  });
  return { status: response.status, body: await response.json() };
}

before(async () => {
  const dir = workFolder('jupyterlab');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    join(venvBin, 'jupyter'),
    [
      'server',
      '--no-browser',
      `--port=${port}`,
      `--IdentityProvider.token=${token}`,
      `--ServerApp.root_dir=${dir}`,
      // CI containers run as root; jupyter refuses that unless told.
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    { cwd: dir, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  server.stdout.on('data', (chunk) => (log += chunk));
  server.stderr.on('data', (chunk) => (log += chunk));
  for (let attempt = 0; ; attempt++) {
    try {
      if ((await fetch(`${base}/api/status`, { headers: { Authorization: `token ${token}` } })).ok) break;
    } catch {
      // Not listening yet.
    }
    if (attempt > 240) throw new Error(`jupyter server did not start:\n${log}`);
    await new Promise((wake) => setTimeout(wake, 250));
  }
});

after(() => server?.kill('SIGTERM'));

test('the wheel enables the cellpipe server extension', () => {
  const list = spawnSync(join(venvBin, 'jupyter'), ['server', 'extension', 'list'], {
    encoding: 'utf8',
    env: userEnv(),
  });
  // jupyter colours its list; the colour codes are dropped before matching
  const text = `${list.stdout}${list.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
  assert.match(text, /cellpipe_jupyter\s+enabled/);
  assert.match(text, /cellpipe_jupyter\s+OK/);
});

test('the server extension answers and runs the demo notebook', async () => {
  assert.deepEqual(await api('cellpipe/runs?path=wine.ipynb'), { status: 200, body: { runs: [] } });
  const chosen = await api('cellpipe/runs', {
    method: 'POST',
    body: JSON.stringify({ path: 'wine.ipynb', python: '/bin/sh' }),
  });
  assert.equal(chosen.status, 400);

  const started = await api('cellpipe/runs', { method: 'POST', body: JSON.stringify({ path: 'wine.ipynb' }) });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const deadline = Date.now() + 300_000;
  let run;
  do {
    await new Promise((wake) => setTimeout(wake, 500));
    run = (await api('cellpipe/runs?path=wine.ipynb')).body.runs.find((r) => r.runId === started.body.runId);
  } while ((!run || run.state === 'running') && Date.now() < deadline);
  assert.equal(run?.state, 'succeeded', `${JSON.stringify(run)}\n${log.slice(-3000)}`);
  assert.ok(Object.keys(run.metrics).length > 0, 'the run reports metrics');
  const logs = await api(`cellpipe/runs/${run.runId}/logs`);
  assert.equal(logs.status, 200);
});
