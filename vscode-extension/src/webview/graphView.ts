// Runs inside the graph webview. Draws the layout it is sent as SVG built node by node; every string from the
// notebook goes in through textContent, so cell text and step names can never become markup.
import type { GraphMessage } from '../graphModel.js';
import { placeEdgeLabels } from './edgeLabels.js';

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

function draw(message: GraphMessage): void {
  const host = document.getElementById('graph');
  const warnings = document.getElementById('warnings');
  if (!host || !warnings) return;
  const margin = 16;
  const root = svg('svg', {
    width: message.width + 2 * margin,
    height: message.height + 2 * margin,
    role: 'img',
    'aria-label': `Pipeline ${message.name}`,
  });
  const defs = svg('defs', {});
  const marker = svg('marker', {
    id: 'arrow',
    viewBox: '0 0 10 10',
    refX: 10,
    refY: 5,
    markerWidth: 8,
    markerHeight: 8,
    orient: 'auto',
  });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  defs.append(marker);
  root.append(defs);
  const layer = svg('g', { transform: `translate(${margin} ${margin})` });
  root.append(layer);

  const labels = placeEdgeLabels(message.edges, message.nodes);
  for (const [index, edge] of message.edges.entries()) {
    if (edge.points.length < 2) continue;
    const d = edge.points.map((point, index) => `${index === 0 ? 'M' : 'L'} ${point.x} ${point.y}`).join(' ');
    const path = svg('path', { d, class: 'edge', 'marker-end': 'url(#arrow)' });
    const title = svg('title', {});
    title.textContent = edge.label ? `${edge.from} → ${edge.to}: ${edge.label}` : `${edge.from} → ${edge.to}`;
    path.append(title);
    layer.append(path);
    const placed = labels[index];
    if (placed) {
      const label = svg('text', { x: placed.x, y: placed.y, class: 'edge-label' });
      label.textContent = placed.text;
      const full = svg('title', {});
      full.textContent = edge.label;
      label.append(full);
      layer.append(label);
    }
  }

  for (const node of message.nodes) {
    const group = svg('g', {
      class: `step state-${node.state ?? 'none'}`,
      transform: `translate(${node.x} ${node.y})`,
      tabindex: 0,
      role: 'button',
      'data-step': node.id,
    });
    group.append(svg('rect', { width: node.width, height: node.height, rx: 6 }));
    const label = svg('text', { x: 10, y: 21, class: 'step-name' });
    label.textContent = node.label;
    const detail = svg('text', { x: 10, y: 40, class: 'step-detail' });
    detail.textContent = node.detail;
    const title = svg('title', {});
    title.textContent = node.state ? `${node.label}: ${node.state}, ${node.detail}` : `${node.label}: ${node.detail}`;
    group.append(title, label, detail);
    const reveal = (): void => vscode.postMessage({ type: 'reveal-step', step: node.id });
    group.addEventListener('click', reveal);
    group.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') reveal();
    });
    layer.append(group);
  }
  host.replaceChildren(root);

  warnings.replaceChildren(
    ...message.warnings.map((text) => {
      const item = document.createElement('li');
      item.textContent = text;
      return item;
    }),
  );
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data as Partial<GraphMessage> | undefined;
  if (message?.type === 'graph') draw(message as GraphMessage);
});
