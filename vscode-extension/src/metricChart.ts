import type { MetricPoint } from '@cellpipe/core';

const WIDTH = 260;
const HEIGHT = 110;
const LEFT = 48;
const BOTTOM = 22;
const TOP = 8;
const RIGHT = 10;

/** A number short enough for an axis label. */
export function axisLabel(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(3)));
}

/**
 * A line chart of a metric series as SVG text, with labelled x (index) and y (value) axes so that 0.963 → 1.0 does
 * not look like a jump from nothing to everything. Only numbers go into it; undefined when fewer than two are numbers.
 */
export function metricChartSvg(points: readonly MetricPoint[]): string | undefined {
  const values = points.flatMap((point, position) =>
    typeof point.value === 'number' && Number.isFinite(point.value)
      ? [{ x: point.index ?? position, y: point.value }]
      : [],
  );
  if (values.length < 2) return undefined;
  const xs = values.map((point) => point.x);
  const ys = values.map((point) => point.y);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs)];
  const [yMin, yMax] = [Math.min(...ys), Math.max(...ys)];
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const px = (x: number) => LEFT + (xMax === xMin ? plotWidth / 2 : ((x - xMin) / (xMax - xMin)) * plotWidth);
  const py = (y: number) => TOP + (yMax === yMin ? plotHeight / 2 : (1 - (y - yMin) / (yMax - yMin)) * plotHeight);
  const line = values.map((point) => `${px(point.x).toFixed(1)},${py(point.y).toFixed(1)}`).join(' ');
  const dots = values.map((point) => `<circle cx="${px(point.x).toFixed(1)}" cy="${py(point.y).toFixed(1)}" r="2.5"/>`);
  const text = (x: number, y: number, anchor: string, label: string) =>
    `<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="10" font-family="sans-serif" fill="#888">${label}</text>`;
  const bottom = TOP + plotHeight;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">`,
    `<path d="M${LEFT} ${TOP}V${bottom}H${LEFT + plotWidth}" fill="none" stroke="#888" stroke-width="1"/>`,
    text(LEFT - 4, TOP + 8, 'end', axisLabel(yMax)),
    text(LEFT - 4, bottom, 'end', axisLabel(yMin)),
    text(LEFT, bottom + 14, 'middle', axisLabel(xMin)),
    text(LEFT + plotWidth, bottom + 14, 'middle', axisLabel(xMax)),
    `<polyline points="${line}" fill="none" stroke="#3794ff" stroke-width="2"/>`,
    `<g fill="#3794ff">${dots.join('')}</g>`,
    '</svg>',
  ].join('');
}
