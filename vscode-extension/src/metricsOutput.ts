import type { MetricValue } from '@cellpipe/core';
import type { StepView } from './runs.js';

/** cellpipe's own output type: a step's metrics, drawn by the extension's notebook renderer. */
export const METRICS_MIME = 'application/vnd.cellpipe.metrics+json';

export interface MetricsOutput {
  runId: string;
  step: string;
  metrics: { name: string; values: { index?: number; value: MetricValue }[] }[];
}

export function metricsOutput(runId: string, step: StepView): MetricsOutput {
  return {
    runId,
    step: step.name,
    metrics: [...step.metrics.entries()].map(([name, values]) => ({
      name,
      values: values.map((value) => ({ ...value })),
    })),
  };
}

/** One line per metric, last value first: what other notebook front ends show instead of the renderer. */
export function metricsText(output: MetricsOutput): string {
  return output.metrics
    .map(({ name, values }) => {
      const last = values[values.length - 1]?.value;
      return values.length > 1
        ? `${output.step} ${name} = ${String(last)} (${values.length} values)`
        : `${output.step} ${name} = ${String(last)}`;
    })
    .join('\n');
}
