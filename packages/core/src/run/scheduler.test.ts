import { runSchedule, type ScheduledStep, type StepOutcome } from './scheduler.js';

/** An executor whose steps finish only when the test says so, recording what ran concurrently. */
function controlledExecutor() {
  const pending = new Map<string, (outcome: StepOutcome) => void>();
  const started: string[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const aborted: string[] = [];
  const execute = (step: ScheduledStep, signal: AbortSignal): Promise<StepOutcome> => {
    started.push(step.name);
    concurrent++;
    maxConcurrent = Math.max(maxConcurrent, concurrent);
    return new Promise((resolve) => {
      const finish = (outcome: StepOutcome): void => {
        concurrent--;
        pending.delete(step.name);
        resolve(outcome);
      };
      pending.set(step.name, finish);
      signal.addEventListener('abort', () => {
        aborted.push(step.name);
        finish({ state: 'failed', reason: 'killed' });
      });
    });
  };
  const finish = async (name: string, outcome: StepOutcome = { state: 'succeeded' }): Promise<void> => {
    const resolve = pending.get(name);
    if (!resolve) throw new Error(`${name} is not running (running: ${[...pending.keys()].join(', ')})`);
    resolve(outcome);
    await new Promise((r) => setImmediate(r));
  };
  return { execute, finish, started, aborted, running: () => [...pending.keys()].sort(), max: () => maxConcurrent };
}

const flush = () => new Promise((r) => setImmediate(r));

// a → b, a → c, (b, c) → d, e independent
const diamond: ScheduledStep[] = [
  { name: 'a', after: [] },
  { name: 'b', after: ['a'] },
  { name: 'c', after: ['a'] },
  { name: 'd', after: ['b', 'c'] },
  { name: 'e', after: [] },
];

describe('runSchedule', () => {
  it('starts a step only after all its upstream steps succeeded, and runs independent ones in parallel', async () => {
    const exec = controlledExecutor();
    const done = runSchedule({ steps: diamond, jobs: 4, execute: exec.execute });
    await flush();
    expect(exec.running()).toEqual(['a', 'e']);
    await exec.finish('a');
    expect(exec.running()).toEqual(['b', 'c', 'e']);
    await exec.finish('b');
    expect(exec.running()).toEqual(['c', 'e']);
    await exec.finish('c', { state: 'cached' });
    expect(exec.running()).toEqual(['d', 'e']);
    await exec.finish('d');
    await exec.finish('e');
    const result = await done;
    expect(Object.fromEntries(result.states)).toEqual({
      a: 'succeeded',
      b: 'succeeded',
      c: 'cached',
      d: 'succeeded',
      e: 'succeeded',
    });
    expect(result.cancelled).toBe(false);
  });

  it('never runs more than `jobs` steps at once', async () => {
    const exec = controlledExecutor();
    const steps = ['s1', 's2', 's3', 's4', 's5'].map((name) => ({ name, after: [] }));
    const states: string[] = [];
    const done = runSchedule({
      steps,
      jobs: 2,
      execute: exec.execute,
      onState: (s, state) => states.push(`${s.name}:${state}`),
    });
    await flush();
    expect(exec.running()).toEqual(['s1', 's2']);
    expect(states).toContain('s5:queued');
    expect(states).not.toContain('s5:running');
    for (const name of ['s1', 's2', 's3', 's4', 's5']) await exec.finish(name);
    await done;
    expect(exec.max()).toBe(2);
    expect(exec.started).toEqual(['s1', 's2', 's3', 's4', 's5']);
  });

  it('skips only the dependents of a failed step and lets independent branches finish', async () => {
    const exec = controlledExecutor();
    const reasons = new Map<string, string | undefined>();
    const done = runSchedule({
      steps: diamond,
      jobs: 4,
      execute: exec.execute,
      onState: (step, state, reason) => {
        if (state === 'skipped' || state === 'failed') reasons.set(step.name, reason);
      },
    });
    await flush();
    await exec.finish('a');
    await exec.finish('b', { state: 'failed', reason: 'ZeroDivisionError' });
    await exec.finish('c');
    await exec.finish('e');
    const result = await done;
    expect(Object.fromEntries(result.states)).toEqual({
      a: 'succeeded',
      b: 'failed',
      c: 'succeeded',
      d: 'skipped',
      e: 'succeeded',
    });
    expect(exec.started).not.toContain('d');
    expect(reasons.get('b')).toBe('ZeroDivisionError');
    expect(reasons.get('d')).toBe("upstream step 'b' failed");
  });

  it('treats a throwing executor as a failed step', async () => {
    const result = await runSchedule({
      steps: [
        { name: 'a', after: [] },
        { name: 'b', after: ['a'] },
      ],
      jobs: 1,
      execute: async () => {
        throw new Error('spawn python3 ENOENT');
      },
    });
    expect(Object.fromEntries(result.states)).toEqual({ a: 'failed', b: 'skipped' });
  });

  it('on abort, stops running steps, cancels the rest and waits for the running ones to end', async () => {
    const exec = controlledExecutor();
    const controller = new AbortController();
    let resolved = false;
    const done = runSchedule({ steps: diamond, jobs: 4, execute: exec.execute, signal: controller.signal }).then(
      (r) => {
        resolved = true;
        return r;
      },
    );
    await flush();
    await exec.finish('a');
    controller.abort();
    await flush();
    const result = await done;
    expect(resolved).toBe(true);
    expect(exec.aborted.sort()).toEqual(['b', 'c', 'e']);
    expect(Object.fromEntries(result.states)).toEqual({
      a: 'succeeded',
      b: 'cancelled',
      c: 'cancelled',
      d: 'cancelled',
      e: 'cancelled',
    });
    expect(result.cancelled).toBe(true);
    expect(exec.started).not.toContain('d');
  });

  it('does not start anything when the signal is already aborted', async () => {
    const exec = controlledExecutor();
    const result = await runSchedule({ steps: diamond, jobs: 2, execute: exec.execute, signal: AbortSignal.abort() });
    expect(exec.started).toEqual([]);
    expect([...result.states.values()].every((state) => state === 'cancelled')).toBe(true);
  });

  it('rejects cycles and unknown upstream steps', () => {
    const exec = controlledExecutor();
    expect(() =>
      runSchedule({
        steps: [
          { name: 'a', after: ['b'] },
          { name: 'b', after: ['a'] },
        ],
        jobs: 1,
        execute: exec.execute,
      }),
    ).toThrow('steps form a cycle: a, b');
    expect(() => runSchedule({ steps: [{ name: 'a', after: ['zz'] }], jobs: 1, execute: exec.execute })).toThrow(
      "step 'a' runs after unknown step 'zz'",
    );
  });
});
