import { ClusterError } from './errors.js';
import type { KubeApi } from './kube.js';

export interface PodLogOptions {
  /** Whether the step's container has ended: then one last read, no follow. */
  finished(): boolean;
  onLine(text: string): void;
  /** One line about a log that cannot be read (the kubelet has none yet, the pod is gone). */
  onProblem(message: string): void;
  /** Wait before asking again while the container has not started, or after a drop. */
  retryDelayMs?: number;
  /** Give up waiting for a container that never starts after this long. */
  maxWaitMs?: number;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) ?(.*)$/;

/**
 * Follows a pod's `main` container log through the pods/log API. After a dropped stream it asks again
 * with `sinceTime` (the API takes whole seconds) and skips the lines it already delivered, by timestamp.
 */
export class PodLogFollower {
  resumes = 0;
  private stopped = false;
  private connection?: { abort(): void };
  private lastTime = '';
  private wakeUp?: () => void;
  private pending?: AbortController;
  private seenAtLastTime = 0;

  constructor(
    private readonly kube: KubeApi,
    private readonly pod: string,
    private readonly options: PodLogOptions,
  ) {}

  async run(): Promise<void> {
    const started = Date.now();
    let attempt = 0;
    while (!this.stopped) {
      const finished = this.options.finished();
      let skipAtLastTime = this.seenAtLastTime;
      try {
        const connection = await this.kube.podLog(
          this.pod,
          {
            container: 'main',
            follow: !finished,
            sinceTime: this.lastTime ? wholeSecond(this.lastTime) : undefined,
            signal: (this.pending = new AbortController()).signal,
          },
          (line) => {
            const match = TIMESTAMP.exec(line);
            const time = match?.[1] ?? '';
            const text = match ? (match[2] ?? '') : line;
            if (time && time < this.lastTime) return;
            if (time && time === this.lastTime && skipAtLastTime > 0) {
              skipAtLastTime--;
              return;
            }
            if (time && time !== this.lastTime) {
              this.lastTime = time;
              this.seenAtLastTime = 0;
              skipAtLastTime = 0;
            }
            this.seenAtLastTime++;
            this.options.onLine(text);
          },
        );
        this.connection = connection;
        if (this.stopped || (!finished && this.options.finished())) connection.abort();
        await connection.closed;
        this.connection = undefined;
        if (this.stopped || finished) return;
        // The container has ended: one more read (no follow) catches lines written after the last chunk.
        if (this.options.finished()) continue;
        this.resumes++;
        await this.sleep(this.options.retryDelayMs ?? 500);
      } catch (error) {
        if (this.stopped) return;
        // Woken while the request waited: the container ended, read its log to the end now.
        if (this.pending?.signal.aborted) continue;
        const problem = this.problem(error);
        if (problem.retry && !finished && Date.now() - started < (this.options.maxWaitMs ?? 600_000)) {
          attempt++;
          await this.sleep(Math.min(5000, (this.options.retryDelayMs ?? 500) * attempt));
          continue;
        }
        this.options.onProblem(problem.message);
        return;
      }
    }
  }

  stop(): void {
    this.stopped = true;
    this.connection?.abort();
    this.wake();
  }

  /** The container has ended: stop waiting (and a follow that the server may keep open), read the log to its end. */
  wake(): void {
    this.pending?.abort();
    this.connection?.abort();
    this.wakeUp?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms).unref();
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** The kubelet's answers, in one line: no log yet (try again while the container starts) or the pod gone. */
  private problem(error: unknown): { retry: boolean; message: string } {
    const status = error instanceof ClusterError ? error.status : undefined;
    if (status === 404)
      return { retry: false, message: `cellpipe: the log of pod '${this.pod}' is gone (the pod was deleted)` };
    if (status === 400 || status === 500 || status === undefined)
      return {
        retry: true,
        message: `cellpipe: no log from pod '${this.pod}' (${(error as Error).message})`,
      };
    return { retry: false, message: `cellpipe: cannot read the log of pod '${this.pod}': ${(error as Error).message}` };
  }
}

function wholeSecond(time: string): string {
  return `${time.slice(0, 19)}Z`;
}
