import { EventChannel } from './channel.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

describe('EventChannel', () => {
  it('gives every consumer every event, including consumers that attach late', async () => {
    const channel = new EventChannel<number>();
    const early = collect(channel);
    channel.push(1);
    channel.push(2);
    const late = collect(channel);
    await new Promise((r) => setImmediate(r));
    channel.push(3);
    channel.close();
    channel.push(4);
    expect(await early).toEqual([1, 2, 3]);
    expect(await late).toEqual([1, 2, 3]);
    expect(await collect(channel)).toEqual([1, 2, 3]);
  });

  it('keeps a consumer waiting until an event or close arrives', async () => {
    const channel = new EventChannel<string>();
    const iterator = channel[Symbol.asyncIterator]();
    let settled = false;
    const next = iterator.next().then((result) => {
      settled = true;
      return result;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    channel.push('x');
    expect(await next).toEqual({ value: 'x', done: false });
    channel.close();
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });
});

describe('EventChannel replay budget', () => {
  const logSize = (event: string): number | undefined => (event.startsWith('log:') ? event.length : undefined);

  it('drops the oldest droppable events for late consumers, keeping every other event', async () => {
    const channel = new EventChannel<string>({ droppableSize: logSize, replayBudget: 12 });
    const live = collect(channel);
    for (const event of ['start', 'log:aaaa', 'state', 'log:bbbb', 'log:cccc', 'end']) {
      channel.push(event);
      await new Promise((r) => setImmediate(r));
    }
    channel.close();
    expect(await live).toEqual(['start', 'log:aaaa', 'state', 'log:bbbb', 'log:cccc', 'end']);
    expect(await collect(channel)).toEqual(['start', 'state', 'log:cccc', 'end']);
    expect(channel.snapshot()).toEqual(['start', 'state', 'log:cccc', 'end']);
  });

  it('always keeps the newest droppable event, even one larger than the budget', async () => {
    const channel = new EventChannel<string>({ droppableSize: logSize, replayBudget: 4 });
    channel.push('log:first');
    channel.push('log:second-and-long');
    channel.close();
    expect(await collect(channel)).toEqual(['log:second-and-long']);
  });

  it('replays only the budget of droppable events after many were pushed', async () => {
    const channel = new EventChannel<string>({ droppableSize: logSize, replayBudget: 100 });
    for (let i = 0; i < 50_000; i++) channel.push(`log:${i % 10}`);
    channel.close();
    const replayed = await collect(channel);
    expect(replayed).toHaveLength(20); // 20 events of 5 characters fill the budget of 100
    expect(replayed.at(-1)).toBe('log:9');
  });
});
