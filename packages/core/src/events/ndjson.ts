import type { RunEvent } from './runEvent.js';

const EVENT_TYPES: ReadonlySet<string> = new Set([
  'run-started',
  'step-state',
  'step-log',
  'step-metric',
  'step-error',
  'run-finished',
]);

/** One RunEvent as one NDJSON line (newline included). */
export function encodeEvent(event: RunEvent): string {
  return JSON.stringify(event) + '\n';
}

/** Parses one NDJSON line into a RunEvent; throws with a one-line reason when it is not one. */
export function decodeEvent(line: string): RunEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`not a JSON line: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('event is not a JSON object');
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || !EVENT_TYPES.has(record.type))
    throw new Error(`unknown event type ${JSON.stringify(record.type)}`);
  if (typeof record.runId !== 'string') throw new Error(`${record.type} event has no string 'runId'`);
  if (typeof record.time !== 'string') throw new Error(`${record.type} event has no string 'time'`);
  return record as unknown as RunEvent;
}

/**
 * Splits a stream of text chunks into complete lines, keeping a partial last line until its newline
 * arrives; works on any chunking (pipes split lines anywhere).
 */
export class LineSplitter {
  private partial = '';

  /** Complete, non-empty lines finished by this chunk. */
  push(chunk: string): string[] {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    return lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)).filter((line) => line.length > 0);
  }

  /** The unterminated last line, if any, once the stream has ended. */
  flush(): string[] {
    const rest = this.partial;
    this.partial = '';
    return rest.length > 0 ? [rest] : [];
  }
}
