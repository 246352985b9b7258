import { formatElapsed, stepElapsedMs, type CellMembership, type StepState } from '@cellpipe/core';
import type { StepView } from './runs.js';

/** Text (with codicons) and tooltip of one cell status bar item. */
export interface Badge {
  text: string;
  tooltip: string;
}

/** The cell's role in the pipeline; undefined for markdown cells, which never run. */
export function roleBadge(member: CellMembership | undefined): Badge | undefined {
  if (!member || member.role === 'text') return undefined;
  switch (member.role) {
    case 'step': {
      const starts = member.tags.step !== undefined;
      const prev = member.tags.prev.length > 0 ? ` ← ${member.tags.prev.join(', ')}` : '';
      return starts
        ? {
            text: `$(symbol-event) step: ${member.step}${prev}`,
            tooltip: `Starts step '${member.step}'. Click to change its tags.`,
          }
        : { text: `$(indent) ${member.step}${prev}`, tooltip: `Continues step '${member.step}'. Click to tag it.` };
    }
    case 'skip':
      return { text: '$(circle-slash) skip', tooltip: 'Not part of the pipeline. Click to change.' };
    case 'prelude': {
      const kind = member.tags.functions ? 'functions' : 'imports';
      return {
        text: `$(package) ${kind}`,
        tooltip: `Re-run before every step that needs it (${kind}). Click to change.`,
      };
    }
    case 'parameters':
      return { text: '$(settings) parameters', tooltip: 'Pipeline parameters. Click to change.' };
    case 'metrics':
      return { text: '$(graph) metrics', tooltip: 'Pipeline metrics. Click to change.' };
  }
}

const STATE_ICONS: Record<StepState, string> = {
  pending: '$(circle-outline)',
  queued: '$(clock)',
  running: '$(sync~spin)',
  cached: '$(history)',
  succeeded: '$(pass-filled)',
  failed: '$(error)',
  skipped: '$(dash)',
  cancelled: '$(circle-slash)',
};

/** The step's state in the latest run, with the elapsed time ticking while it runs. */
export function runBadge(step: StepView, now: number): Badge {
  const elapsed = formatElapsed(stepElapsedMs(step, now));
  const text = `${STATE_ICONS[step.state]} ${step.state}${elapsed ? ` ${elapsed}` : ''}`;
  return {
    text,
    tooltip: step.reason ? `${step.name}: ${step.state} (${step.reason})` : `${step.name}: ${step.state}`,
  };
}
