import { parseCellTags, parseDuration, isResourceQuantity, mergeStepSettings, stepSettingsOf } from './parse.js';
import {
  withAnnotation,
  withCache,
  withCellRole,
  withImage,
  withLabel,
  withLimit,
  withPrevTags,
  withRetries,
  withSkip,
  withStepTag,
  withTimeout,
} from './edit.js';
import { isKubernetesLabel, normalizeStepName } from './names.js';
import { buildNotebook } from '../notebook/builder.js';
import { stepNameForCells } from '../graph/membership.js';

describe('parseCellTags', () => {
  test('reads every Kale-compatible tag', () => {
    const parsed = parseCellTags([
      'step:train',
      'prev:load',
      'prev:clean',
      'image:python:3.11',
      'limit:nvidia.com/gpu:1',
      'limit:memory:4Gi',
      'annotation:example.com/owner:a:b',
      'label:team:ml',
      'cache:disabled',
      'retry:3',
      'timeout:5m',
    ]);
    expect(parsed).toMatchObject({
      step: 'train',
      prev: ['load', 'clean'],
      image: 'python:3.11',
      limits: { 'nvidia.com/gpu': '1', memory: '4Gi' },
      annotations: { 'example.com/owner': 'a:b' },
      labels: { team: 'ml' },
      cache: false,
      retries: 3,
      timeoutSeconds: 300,
      problems: [],
    });
  });

  test.each([
    ['block:old', { step: 'old' }],
    ['skip', { skip: true }],
    ['imports', { imports: true }],
    ['functions', { functions: true }],
    ['pipeline-parameters', { parameters: true }],
    ['parameters', { parameters: true }],
    ['pipeline-metrics', { metrics: true }],
    ['metrics', { metrics: true }],
  ])('%s', (tag, expected) => {
    expect(parseCellTags([tag])).toMatchObject({ ...expected, problems: [] });
  });

  test.each([
    ['step:', 'malformed-tag'],
    ['limit:memory:lots', 'malformed-tag'],
    ['limit:memory', 'malformed-tag'],
    ['label:team:not valid!', 'malformed-tag'],
    ['cache:maybe', 'malformed-tag'],
    ['retry:-1', 'malformed-tag'],
    ['timeout:soon', 'malformed-tag'],
    ['image:', 'malformed-tag'],
    ['hide-input', 'unknown-tag'],
  ])('%s is reported as %s', (tag, code) => {
    const [problem] = parseCellTags([tag]).problems;
    expect(problem).toMatchObject({ tag, code });
    expect(problem?.message).toContain(tag);
  });

  test('two different step tags on one cell are reported', () => {
    expect(parseCellTags(['step:a', 'step:b']).problems[0]?.code).toBe('malformed-tag');
  });

  test('durations and quantities', () => {
    expect([parseDuration('30s'), parseDuration('1h30m'), parseDuration('90'), parseDuration('1d')]).toEqual([
      30,
      5400,
      90,
      undefined,
    ]);
    expect(['1', '500m', '4Gi', '1.5', '1e3', '-1', '4GB'].map(isResourceQuantity)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
  });

  test('settings merge later layers over earlier ones, maps key by key', () => {
    const cell = stepSettingsOf(parseCellTags(['label:a:1', 'retry:2']));
    expect(mergeStepSettings({ labels: { b: '2' }, retries: 0, image: 'x' }, cell)).toEqual({
      labels: { b: '2', a: '1' },
      retries: 2,
      image: 'x',
    });
  });
});

describe('tag editing keeps unknown tags and order', () => {
  const tags = ['hide-input', 'step:a', 'prev:x', 'limit:memory:1Gi', 'custom'];
  test.each([
    [withStepTag(tags, 'b'), ['hide-input', 'step:b', 'prev:x', 'limit:memory:1Gi', 'custom']],
    [withStepTag(['block:a', 'z'], 'c'), ['step:c', 'z']],
    [withStepTag(tags, null), ['hide-input', 'prev:x', 'limit:memory:1Gi', 'custom']],
    [withPrevTags(tags, ['p', 'q', 'p']), ['hide-input', 'step:a', 'prev:p', 'prev:q', 'limit:memory:1Gi', 'custom']],
    [withSkip(tags, true), [...tags, 'skip']],
    [withSkip(['skip', 'a'], false), ['a']],
    [withImage(tags, 'img:1'), [...tags, 'image:img:1']],
    [withLimit(tags, 'memory', '2Gi'), ['hide-input', 'step:a', 'prev:x', 'limit:memory:2Gi', 'custom']],
    [withLimit(tags, 'memory', null), ['hide-input', 'step:a', 'prev:x', 'custom']],
    [withAnnotation([], 'k', 'v'), ['annotation:k:v']],
    [withLabel(['label:k:v'], 'k', 'w'), ['label:k:w']],
    [withCache(['cache:enabled'], false), ['cache:disabled']],
    [withRetries(['retries:1'], 4), ['retry:4']],
    [withTimeout([], '5m'), ['timeout:5m']],
    [withCellRole(['skip', 'x', 'step:a'], { kind: 'parameters' }), ['pipeline-parameters', 'x']],
    [withCellRole(['skip', 'x'], { kind: 'step', name: 'n' }), ['step:n', 'x']],
  ])('%j', (actual, expected) => {
    expect(actual).toEqual(expected);
    expect(parseCellTags(actual).problems.filter((p) => p.code === 'malformed-tag')).toEqual([]);
  });
});

describe('step names', () => {
  test.each([
    ['load', 'load'],
    ['Load Data', 'load-data'],
    ['__private__', 'private'],
    ['évaluation', 'evaluation'],
    ['x'.repeat(80), 'x'.repeat(63)],
    ['a'.repeat(62) + '-b', 'a'.repeat(62)],
  ])('%s → %s', (name, label) => {
    expect(normalizeStepName(name)).toBe(label);
    expect(isKubernetesLabel(normalizeStepName(name))).toBe(true);
  });

  test('names without ASCII letters get a stable hashed label', () => {
    expect(normalizeStepName('数据')).toBe(normalizeStepName('数据'));
    expect(normalizeStepName('数据')).not.toBe(normalizeStepName('模型'));
    expect(isKubernetesLabel(normalizeStepName('数据'))).toBe(true);
  });

  test('stepNameForCells maps cells to steps for the editors', () => {
    const notebook = buildNotebook([
      'a = 1',
      { source: 'b = 1', tags: ['step:Load It'] },
      { source: 'p = 1', tags: ['parameters'] },
      { source: 'c = 1', tags: ['skip'] },
      { source: 'text', cellType: 'markdown' },
      'd = 1',
    ]);
    expect([...stepNameForCells(notebook)]).toEqual([
      ['cell-0', 'load-it'],
      ['cell-1', 'load-it'],
      ['cell-2', null],
      ['cell-3', null],
      ['cell-4', null],
      ['cell-5', 'load-it'],
    ]);
  });
});
