// Notebook renderer for cellpipe's metrics output: a table of final values, and a line chart for every metric
// logged several times. Built with DOM calls and textContent only, so values can never become markup.
import type { ActivationFunction } from 'vscode-notebook-renderer';
import type { MetricsOutput } from '../metricsOutput.js';

const SVG = 'http://www.w3.org/2000/svg';

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  text?: string,
  className?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function chart(values: number[]): SVGSVGElement {
  const width = 240;
  const height = 60;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const points = values.map((value, index) => {
    const x = values.length === 1 ? 0 : (index / (values.length - 1)) * (width - 8) + 4;
    const y = height - 4 - ((value - min) / span) * (height - 8);
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const root = document.createElementNS(SVG, 'svg');
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('class', 'cellpipe-chart');
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '2');
  root.append(line);
  return root;
}

function render(data: MetricsOutput, host: HTMLElement): void {
  const box = element('div', undefined, 'cellpipe-metrics');
  box.append(element('div', `step ${data.step} · metrics`, 'cellpipe-metrics-title'));
  const table = element('table');
  for (const metric of data.metrics) {
    const row = element('tr');
    const last = metric.values[metric.values.length - 1]?.value;
    row.append(
      element('th', metric.name),
      element('td', typeof last === 'number' ? String(Number(last.toPrecision(6))) : String(last)),
    );
    const numbers = metric.values
      .map((entry) => entry.value)
      .filter((value): value is number => typeof value === 'number');
    const cell = element('td');
    if (numbers.length > 1) cell.append(chart(numbers));
    row.append(cell);
    table.append(row);
  }
  box.append(table);
  host.replaceChildren(box);
}

export const activate: ActivationFunction = () => ({
  renderOutputItem(item, host) {
    render(item.json() as MetricsOutput, host);
  },
});
