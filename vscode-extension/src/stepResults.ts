import { latestMetrics, type MetricValue } from '@cellpipe/core';
import { metricChartSvg } from './metricChart.js';
import type { StepView } from './runs.js';

/** A step's metrics as the cell status bar shows them: a short text and, per metric, its series and chart. */
export interface MetricsSummary {
  text: string;
  metrics: { name: string; last: MetricValue; series?: string; chartSvg?: string }[];
}

export function formatMetric(value: MetricValue): string {
  return typeof value === 'number' && !Number.isInteger(value) ? String(Number(value.toPrecision(4))) : String(value);
}

/** Undefined when the step logged no metric; the text names the first metric and how many more there are. */
export function metricsSummary(step: StepView): MetricsSummary | undefined {
  const latest = [...latestMetrics(step)];
  const [first] = latest;
  if (!first) return undefined;
  const more = latest.length > 1 ? ` +${latest.length - 1}` : '';
  return {
    text: `$(graph) ${first[0]} ${formatMetric(first[1])}${more}`,
    metrics: latest.map(([name, last]) => {
      const points = step.metrics.get(name) ?? [];
      if (points.length < 2) return { name, last };
      const shown = points.slice(-8).map((point) => formatMetric(point.value));
      const series = `${points.length > 8 ? '… → ' : ''}${shown.join(' → ')} (${points.length} values)`;
      return { name, last, series, chartSvg: metricChartSvg(points) };
    }),
  };
}

/** Backslash-escapes Markdown punctuation and HTML's `<>&`: metric names come from the notebook and stay text. */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|~]/g, '\\$&').replace(/[<>&]/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** A step's metrics as Markdown: a table of final values and a chart with axes per series (our SVG, numbers only). */
export function metricsMarkdown(runId: string, step: StepView): string {
  const summary = metricsSummary(step);
  const lines = [`# ${markdownText(step.name)} · metrics`, '', `Run ${markdownText(runId)}, step ${step.state}.`, ''];
  if (!summary) return [...lines, 'No metrics logged.'].join('\n');
  lines.push('| metric | value | series |', '| --- | --- | --- |');
  for (const metric of summary.metrics)
    lines.push(
      `| ${markdownText(metric.name)} | ${markdownText(formatMetric(metric.last))} | ${markdownText(metric.series ?? '')} |`,
    );
  for (const metric of summary.metrics) {
    if (!metric.chartSvg) continue;
    const data = Buffer.from(metric.chartSvg).toString('base64');
    lines.push(
      '',
      `## ${markdownText(metric.name)}`,
      '',
      `![${markdownText(metric.name)}](data:image/svg+xml;base64,${data})`,
    );
  }
  return lines.join('\n') + '\n';
}
