/**
 * Runs a DAG of steps with bounded parallelism: a step starts as soon as all its `after` steps
 * succeeded (or were served from cache); a failure skips only the steps that depend on it.
 * Pure orchestration: the work itself is the injected `execute`, so it is testable without processes.
 */

export interface ScheduledStep {
  name: string;
  after: string[];
}

export type StepOutcome = { state: 'succeeded' | 'cached' } | { state: 'failed' | 'cancelled'; reason: string };

export type FinalStepState = 'succeeded' | 'cached' | 'failed' | 'skipped' | 'cancelled';

export interface ScheduleOptions<S extends ScheduledStep> {
  steps: S[];
  /** Most `execute` calls in flight at once (at least 1). */
  jobs: number;
  execute(step: S, signal: AbortSignal): Promise<StepOutcome>;
  /** Every state change: `queued` when ready and waiting for a slot, `running` when `execute` starts, then final. */
  onState?(step: S, state: 'queued' | 'running' | FinalStepState, reason?: string): void;
  signal?: AbortSignal;
}

export interface ScheduleResult {
  states: Map<string, FinalStepState>;
  cancelled: boolean;
}

export function runSchedule<S extends ScheduledStep>(options: ScheduleOptions<S>): Promise<ScheduleResult> {
  const { steps, execute, onState, signal } = options;
  const jobs = Math.max(1, Math.floor(options.jobs));
  const byName = new Map(steps.map((step) => [step.name, step]));
  for (const step of steps)
    for (const upstream of step.after)
      if (!byName.has(upstream)) throw new Error(`step '${step.name}' runs after unknown step '${upstream}'`);

  const dependents = new Map<string, S[]>(steps.map((step) => [step.name, []]));
  for (const step of steps) for (const upstream of step.after) dependents.get(upstream)?.push(step);
  assertAcyclic(steps, dependents);

  const states = new Map<string, FinalStepState>();
  const waitingOn = new Map(steps.map((step) => [step.name, new Set(step.after)]));
  const ready: S[] = [];
  const running = new Map<string, AbortController>();
  let cancelled = false;

  return new Promise((resolve) => {
    const settle = (step: S, state: FinalStepState, reason?: string): void => {
      if (states.has(step.name)) return;
      states.set(step.name, state);
      onState?.(step, state, reason);
      if (state === 'succeeded' || state === 'cached') {
        for (const dependent of dependents.get(step.name) ?? []) {
          const waiting = waitingOn.get(dependent.name);
          waiting?.delete(step.name);
          if (waiting?.size === 0 && !states.has(dependent.name)) enqueue(dependent);
        }
      } else {
        const why =
          state === 'cancelled'
            ? 'run cancelled'
            : `upstream step '${step.name}' ${state === 'skipped' ? 'was skipped' : state}`;
        for (const dependent of dependents.get(step.name) ?? [])
          settle(dependent, cancelled ? 'cancelled' : 'skipped', cancelled ? 'run cancelled' : why);
      }
    };

    const enqueue = (step: S): void => {
      if (cancelled) return;
      ready.push(step);
      onState?.(step, 'queued');
    };

    const finishIfDone = (): void => {
      if (states.size !== steps.length || running.size > 0) return;
      signal?.removeEventListener('abort', cancel);
      resolve({ states, cancelled });
    };

    const pump = (): void => {
      while (!cancelled && running.size < jobs && ready.length > 0) {
        const step = ready.shift() as S;
        const controller = new AbortController();
        running.set(step.name, controller);
        onState?.(step, 'running');
        execute(step, controller.signal)
          .catch((error: unknown): StepOutcome => ({
            state: 'failed',
            reason: (error as Error).message ?? String(error),
          }))
          .then((outcome) => {
            running.delete(step.name);
            if (cancelled && outcome.state !== 'succeeded' && outcome.state !== 'cached')
              settle(step, 'cancelled', 'run cancelled');
            else settle(step, outcome.state, 'reason' in outcome ? outcome.reason : undefined);
            if (cancelled)
              for (const pending of steps)
                if (!states.has(pending.name) && !running.has(pending.name))
                  settle(pending, 'cancelled', 'run cancelled');
            pump();
            finishIfDone();
          });
      }
    };

    const cancel = (): void => {
      if (cancelled) return;
      cancelled = true;
      for (const controller of running.values()) controller.abort();
      ready.length = 0;
      for (const step of steps)
        if (!states.has(step.name) && !running.has(step.name)) settle(step, 'cancelled', 'run cancelled');
      finishIfDone();
    };

    if (signal?.aborted) cancel();
    else signal?.addEventListener('abort', cancel, { once: true });

    for (const step of steps) if (step.after.length === 0) enqueue(step);
    pump();
    finishIfDone();
  });
}

/** Kahn's algorithm: a cycle would leave steps waiting forever, so reject it up front. */
function assertAcyclic<S extends ScheduledStep>(steps: S[], dependents: Map<string, S[]>): void {
  const remaining = new Map(steps.map((step) => [step.name, step.after.length]));
  const free = steps.filter((step) => step.after.length === 0);
  let visited = 0;
  while (free.length > 0) {
    const step = free.pop() as S;
    visited++;
    for (const dependent of dependents.get(step.name) ?? []) {
      const left = (remaining.get(dependent.name) ?? 0) - 1;
      remaining.set(dependent.name, left);
      if (left === 0) free.push(dependent);
    }
  }
  if (visited < steps.length) {
    const stuck = steps.filter((step) => (remaining.get(step.name) ?? 0) > 0).map((step) => step.name);
    throw new Error(`steps form a cycle: ${stuck.join(', ')}`);
  }
}
