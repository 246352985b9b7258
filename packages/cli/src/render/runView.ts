import {
  cellLabel,
  RunProgress,
  stepElapsedMs,
  type MetricValue,
  type RunEvent,
  type RunFinishedEvent,
  type StepErrorEvent,
} from '@cellpipe/core/local';

/** The state of a run as the CLI shows it: core's model of the run plus what the final report needs. */
export class RunView {
  /** The run folded from its events; the step table draws from it. */
  readonly progress = new RunProgress();
  /** Step errors in the order they arrived, for the report on stderr. */
  readonly errors: StepErrorEvent[] = [];
  finished?: RunFinishedEvent;

  get runId(): string {
    return this.progress.runId;
  }

  get notebook(): string {
    return this.progress.notebook;
  }

  apply(event: RunEvent, now = Date.now()): void {
    this.progress.apply(event, now);
    if (event.type === 'step-error') this.errors.push(event);
    if (event.type === 'run-finished') this.finished = event;
  }

  /** The live table: one row per step with its state and elapsed time. */
  table(now = Date.now()): string {
    const rows = [...this.progress.steps.values()].map((step) => {
      const elapsed = stepElapsedMs(step, now);
      return [step.name, step.state, elapsed === undefined ? '' : seconds(elapsed), step.reason ?? ''];
    });
    return formatTable(['STEP', 'STATE', 'ELAPSED', ''], rows);
  }

  /** One line for a state change, for logs and pipes where the table cannot be redrawn. */
  static line(event: RunEvent): string | undefined {
    switch (event.type) {
      case 'run-started':
        return `run ${event.runId}: ${event.steps.length} steps from ${event.notebook}`;
      case 'step-state': {
        const elapsed =
          event.elapsedMs !== undefined && event.state !== 'running' ? ` (${seconds(event.elapsedMs)})` : '';
        return `${event.step}: ${event.state}${elapsed}${event.reason ? `: ${event.reason}` : ''}`;
      }
      case 'run-finished':
        return `run ${event.state} in ${seconds(event.elapsedMs)}${event.reason ? `: ${event.reason}` : ''}${event.recordPath ? `; record: ${event.recordPath}` : ''}`;
      default:
        return undefined;
    }
  }

  /** Final metric values, one row per step and metric; empty when no step reported any. */
  metricsTable(): string {
    const metrics = this.finished?.metrics ?? {};
    const rows = Object.entries(metrics).flatMap(([step, values]) =>
      Object.entries(values).map(([name, value]) => {
        const series = this.progress.steps.get(step)?.metrics.get(name) ?? [];
        return [step, name, series.length > 1 ? formatSeries(series.map((point) => point.value)) : formatMetric(value)];
      }),
    );
    return rows.length === 0 ? '' : formatTable(['STEP', 'METRIC', 'VALUE'], rows);
  }

  /** Each failed step's error with its notebook cell and mapped traceback, for stderr. */
  errorReport(): string {
    return this.errors
      .map((error) => {
        const where =
          error.cellIndex !== undefined
            ? `\n  in ${cellLabel(error.cellIndex, error.cellId)}${error.line !== undefined ? `, line ${error.line}` : ''}`
            : '';
        const traceback = error.traceback.trimEnd();
        return `step '${error.step}' failed: ${error.errorType}: ${error.message}${where}${traceback ? `\n${traceback}` : ''}\n`;
      })
      .join('\n');
  }
}

/** Splits streamed text into whole lines per step and stream, so each printed line gets its step prefix. */
export class LogPrefixer {
  private readonly partial = new Map<string, string>();

  push(step: string, stream: string, text: string): string[] {
    const key = `${step}\0${stream}`;
    const lines = ((this.partial.get(key) ?? '') + text).split('\n');
    this.partial.set(key, lines.pop() ?? '');
    return lines.map((line) => `${step} | ${line}`);
  }

  flush(): string[] {
    const rest = [...this.partial.entries()].filter(([, text]) => text.length > 0);
    this.partial.clear();
    return rest.map(([key, text]) => `${key.split('\0')[0]} | ${text}`);
  }
}

export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)].join('\n');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)}s`;
}

/** A metric logged several times (per epoch, per fold): its values in order, the middle elided when long. */
function formatSeries(values: MetricValue[]): string {
  const shown =
    values.length > 8
      ? [...values.slice(0, 3).map(formatMetric), '…', ...values.slice(-3).map(formatMetric)]
      : values.map(formatMetric);
  return `${shown.join(', ')} (${values.length} values)`;
}

function formatMetric(value: MetricValue): string {
  return typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(6))) : String(value);
}
