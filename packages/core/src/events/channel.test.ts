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
