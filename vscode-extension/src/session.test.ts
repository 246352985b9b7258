import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotebookAnalyzer, readNotebook } from '@cellpipe/core';
import { roleBadge } from './badges.js';
import { graphEdges } from './graphModel.js';
import { NotebookSession } from './session.js';
import { tagChoices } from './tagPick.js';

const example = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'word-stats', 'word_stats.ipynb');

function session(): NotebookSession {
  return new NotebookSession({
    notebook: readNotebook(readFileSync(example, 'utf8'), 'word_stats.ipynb'),
    loadAnalyzer: async () => NotebookAnalyzer,
  });
}

function idOf(s: NotebookSession, tag: string): string {
  const cell = s.cells.find((candidate) => candidate.tags.includes(tag));
  if (!cell) throw new Error(`example has no cell tagged ${tag}`);
  return cell.id;
}

describe('NotebookSession on the word-stats example', () => {
  it('knows every step and the role of each cell', () => {
    const s = session();
    expect(s.stepNames).toEqual(['read', 'tokenize', 'count-words', 'count-bigrams', 'lengths', 'report']);
    expect(s.roleOf(idOf(s, 'parameters'))?.role).toBe('parameters');
    expect(roleBadge(s.roleOf(idOf(s, 'step:tokenize')))?.text).toBe('$(symbol-event) step: tokenize');
    expect(roleBadge(s.roleOf(idOf(s, 'pipeline-metrics')))?.text).toBe('$(graph) metrics');
  });

  it('follows a tag edit in both the cell roles and the graph', async () => {
    const s = session();
    const lengths = idOf(s, 'step:lengths');
    s.updateCell(lengths, { tags: ['skip'] });
    expect(s.roleOf(lengths)?.role).toBe('skip');
    expect(roleBadge(s.roleOf(lengths))?.text).toBe('$(circle-slash) skip');
    expect((await s.graph()).steps.map((step) => step.name)).not.toContain('lengths');
  });

  it('follows a source edit into the data edges, before and after the analyzer is loaded', async () => {
    const s = session();
    const report = idOf(s, 'step:report');
    expect(graphEdges(await s.graph()).some((edge) => edge.from === 'lengths' && edge.to === 'report')).toBe(true);
    s.updateCell(report, { source: 'report = {"vocabulary": vocabulary}\nprint(report)' });
    expect(graphEdges(await s.graph()).some((edge) => edge.from === 'lengths' && edge.to === 'report')).toBe(false);
    expect(graphEdges(await s.graph()).find((edge) => edge.from === 'count-words' && edge.to === 'report')?.label).toBe(
      'vocabulary',
    );
  });

  it('builds the graph from edits made before the first graph request', async () => {
    const s = session();
    s.updateCell(idOf(s, 'step:lengths'), { tags: ['step:measure'] });
    expect((await s.graph()).steps.map((step) => step.name)).toContain('measure');
  });

  it('renumbers cells after an insert', () => {
    const s = session();
    const cells = [...s.cells];
    s.setCells([{ id: 'new', index: 0, cellType: 'code', source: 'z = 1', tags: ['step:first'] }, ...cells]);
    expect(s.cells.map((cell) => cell.index)).toEqual(cells.map((_, index) => index).concat(cells.length));
    expect(s.stepNames[0]).toBe('first');
  });

  it('offers the notebook step names in the tag quick pick, and each choice edits only its own tags', () => {
    const s = session();
    const member = s.roleOf(idOf(s, 'step:report'));
    const choices = tagChoices(member, s.stepNames);
    const labels = choices.map((choice) => choice.label);
    // The current step comes first (Enter keeps it), then every other step in notebook order.
    expect(labels[0]).toBe('$(symbol-event) step:report');
    expect(choices[0]?.current).toBe(true);
    expect(labels.slice(1, 6)).toEqual(
      s.stepNames.filter((name) => name !== 'report').map((name) => `$(symbol-event) step:${name}`),
    );
    const tags = ['step:report', 'limit:cpu:1', 'custom-tag'];
    const pick = (prefix: string) => choices.find((choice) => choice.label.includes(prefix))!;
    expect(pick('step:lengths').apply(tags)).toEqual(['step:lengths', 'limit:cpu:1', 'custom-tag']);
    expect(pick('skip').apply(tags)).toEqual(['limit:cpu:1', 'custom-tag', 'skip']);
    expect(pick('New step').apply(tags, 'fit')).toEqual(['step:fit', 'limit:cpu:1', 'custom-tag']);
    expect(pick('prev:').apply(tags, ['read', 'tokenize'])).toEqual([...tags, 'prev:read', 'prev:tokenize']);
    expect(pick('image:').apply(tags, 'python:3.12')).toEqual([...tags, 'image:python:3.12']);
    expect(pick('limit:').apply(tags, 'cpu=2')).toEqual(['step:report', 'limit:cpu:2', 'custom-tag']);
    expect(pick('limit:').apply(tags, 'cpu=')).toEqual(['step:report', 'custom-tag']);
  });

  it('puts a cell’s current role first in the tag quick pick, so Enter changes nothing', () => {
    const s = session();
    for (const cell of s.cells.filter((each) => each.cellType === 'code')) {
      const [first] = tagChoices(s.roleOf(cell.id), s.stepNames);
      expect(first?.current).toBe(true);
      expect(first?.ask).toBeUndefined();
      expect(first!.apply(cell.tags)).toEqual(cell.tags);
    }
  });
});
