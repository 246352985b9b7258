/**
 * A replaying event stream: producers `push`, every consumer that iterates gets every event from
 * the first one on, so a late subscriber (a UI that attaches after `start`) misses nothing.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private readonly events: T[] = [];
  private closed = false;
  private readonly waiters = new Set<() => void>();

  /** Appends an event; ignored once the channel is closed. */
  push(event: T): void {
    if (this.closed) return;
    this.events.push(event);
    this.wake();
  }

  /** Ends every iteration after the events already pushed. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Everything pushed so far, in order. */
  snapshot(): readonly T[] {
    return this.events;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let position = 0;
    for (;;) {
      while (position < this.events.length) yield this.events[position++] as T;
      if (this.closed) return;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }
}
