import { decodeEvent, encodeEvent, LineSplitter } from './ndjson.js';
import type { RunEvent } from './runEvent.js';

const metric: RunEvent = {
  type: 'step-metric',
  runId: 'r1',
  time: '2026-01-01T00:00:00.000Z',
  step: 'train',
  name: 'acc',
  value: 0.5,
};

describe('NDJSON event encoding', () => {
  it('encodes one event per line and decodes it back unchanged', () => {
    const log: RunEvent = { ...metric, type: 'step-log', stream: 'stdout', text: 'a\nb\n' } as RunEvent;
    const line = encodeEvent(log);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    expect(decodeEvent(line)).toEqual(log);
  });

  it('rejects lines that are not RunEvents with a one-line reason', () => {
    expect(() => decodeEvent('{oops')).toThrow(/^not a JSON line/);
    expect(() => decodeEvent('[1]')).toThrow('event is not a JSON object');
    expect(() => decodeEvent('{"type":"bogus","runId":"r","time":"t"}')).toThrow('unknown event type "bogus"');
    expect(() => decodeEvent('{"type":"step-log","time":"t"}')).toThrow("step-log event has no string 'runId'");
  });
});

describe('LineSplitter', () => {
  it('reassembles lines split across arbitrary chunks', () => {
    const text = encodeEvent(metric) + encodeEvent({ ...metric, name: 'loss' } as RunEvent);
    for (let cut = 1; cut < text.length; cut += 7) {
      const splitter = new LineSplitter();
      const lines = [...splitter.push(text.slice(0, cut)), ...splitter.push(text.slice(cut)), ...splitter.flush()];
      expect(lines.map((line) => (decodeEvent(line) as { name: string }).name)).toEqual(['acc', 'loss']);
    }
  });

  it('returns an unterminated last line on flush and drops blank lines and CRs', () => {
    const splitter = new LineSplitter();
    expect(splitter.push('a\r\n\n b')).toEqual(['a']);
    expect(splitter.flush()).toEqual([' b']);
    expect(splitter.flush()).toEqual([]);
  });
});
