import { assignCells, buildNotebook } from '@cellpipe/core';
import { chipLabel } from './chipLabel';

describe('chipLabel', () => {
  const labels = (cells: Parameters<typeof buildNotebook>[0]) => {
    const membership = assignCells(buildNotebook(cells));
    const first = new Map(membership.steps.map((step) => [step.displayName, step.firstIndex]));
    return membership.cells.map((member) => chipLabel(member, first.get(member.step ?? '')));
  };

  it('tells a cell that starts a step from one that continues it', () => {
    const [starts, continues] = labels([{ source: 'a = 1', tags: ['step:load'] }, { source: 'b = a' }]);
    expect(starts).toMatchObject({ text: 'step: load', kind: 'starts', step: 'load' });
    expect(continues).toMatchObject({ text: '↪ load', kind: 'continues', step: 'load' });
  });

  it('does not call an untagged cell above the first step "step: …"', () => {
    const [early] = labels([{ source: 'import os' }, { source: 'a = 1', tags: ['step:load'] }]);
    expect(early?.kind).toBe('joins');
    expect(early?.text).not.toMatch(/^step:/);
    expect(early?.title).toContain("start of step 'load'");
  });

  it('names roles that are not steps', () => {
    const kinds = labels([
      { source: 'import os', tags: ['imports'] },
      { source: 'x = 1', tags: ['parameters'] },
      { source: 'print(1)', tags: ['skip'] },
      { source: 'a = x', tags: ['step:one'] },
    ]).map((label) => label.kind);
    expect(kinds).toEqual(['imports', 'parameters', 'skip', 'starts']);
  });
});
