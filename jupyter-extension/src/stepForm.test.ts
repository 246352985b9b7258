import { analyzeNotebook, buildNotebook } from '@cellpipe/core';
import { applyFormValues, formValuesFromTags, knownStepNames } from './stepForm';

describe('step form', () => {
  it('reads role, name, prev, image and limits from tags', () => {
    const values = formValuesFromTags([
      'step:train',
      'prev:load',
      'image:python:3.12',
      'limit:cpu:2',
      'limit:memory:1Gi',
    ]);
    expect(values).toEqual({
      role: 'step',
      name: 'train',
      prev: ['load'],
      image: 'python:3.12',
      cpu: '2',
      memory: '1Gi',
      gpu: '',
    });
    expect(formValuesFromTags([]).role).toBe('continue');
    expect(formValuesFromTags(['skip', 'step:x']).role).toBe('skip');
    expect(formValuesFromTags(['block:old']).name).toBe('old');
  });

  it('writes Kale-compatible tags and keeps tags it does not own, in place', () => {
    const next = applyFormValues(['mine', 'block:old', 'limit:cpu:1'], {
      role: 'step',
      name: ' train ',
      prev: ['load', ' ', 'features'],
      image: '',
      cpu: '',
      memory: '2Gi',
      gpu: '',
    });
    expect(next).toEqual(['mine', 'step:train', 'prev:load', 'prev:features', 'limit:memory:2Gi']);
  });

  it('round-trips through read and write', () => {
    const tags = ['step:eval', 'prev:train', 'image:repo/img:1', 'limit:nvidia.com/gpu:1'];
    expect(applyFormValues(tags, formValuesFromTags(tags)).sort()).toEqual([...tags].sort());
  });

  it('switching to skip removes the step tag', () => {
    const next = applyFormValues(['step:train'], { ...formValuesFromTags(['step:train']), role: 'skip' });
    expect(next).toEqual(['skip']);
  });

  it('rejects bad fields with a message naming the field', () => {
    const base = formValuesFromTags([]);
    expect(() => applyFormValues([], { ...base, role: 'step', name: 'two words' })).toThrow(/^step name:/);
    expect(() => applyFormValues([], { ...base, role: 'step', name: '' })).toThrow(/^step name:/);
    expect(() => applyFormValues([], { ...base, prev: ['a:b'] })).toThrow(/^prev:/);
    expect(() => applyFormValues([], { ...base, cpu: 'lots' })).toThrow(/^limit cpu:/);
  });

  it('rejects a prev: naming no step of the notebook, and accepts one written differently but normalised alike', () => {
    const base = { ...formValuesFromTags([]), role: 'step' as const, name: 'train' };
    expect(() => applyFormValues([], { ...base, prev: ['lod'] }, ['load', 'Features'])).toThrow(
      "prev: 'lod' is not a step of this notebook (steps: load, Features)",
    );
    expect(applyFormValues([], { ...base, prev: ['features'] }, ['load', 'Features'])).toContain('prev:features');
  });

  it('offers the notebook’s step names for completion, in order', () => {
    const graph = analyzeNotebook(
      buildNotebook([
        { source: 'a = 1', tags: ['step:load'] },
        { source: 'b = a', tags: ['step:Train'] },
      ]),
    );
    expect(knownStepNames(graph)).toEqual(['load', 'Train']);
    expect(knownStepNames(undefined)).toEqual([]);
  });
});
