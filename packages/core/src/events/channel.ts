/** How much of a channel's history is kept for consumers that attach late. */
export interface EventChannelOptions<T> {
  /** The size of an event whose replay may be dropped (log text), or undefined for events always kept. */
  droppableSize?(event: T): number | undefined;
  /** Total size of droppable events kept for replay; older ones are dropped first (the newest is always kept). */
  replayBudget?: number;
}

const DROPPED = Symbol('dropped');

/**
 * A replaying event stream: producers `push`, every consumer that iterates gets every event from the
 * first one on, so a late subscriber (a UI that attaches after `start`) misses nothing — except droppable
 * events (log text) beyond the replay budget, which a caller reads back from where they were persisted.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private readonly events: (T | typeof DROPPED)[] = [];
  /** Positions and sizes of the droppable events still kept, oldest first, from `droppableHead` on. */
  private readonly droppable: { position: number; size: number }[] = [];
  private droppableHead = 0;
  private retainedSize = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly options: EventChannelOptions<T> = {}) {}

  /** Appends an event; ignored once the channel is closed. */
  push(event: T): void {
    if (this.closed) return;
    this.events.push(event);
    const size = this.options.droppableSize?.(event);
    if (size !== undefined) {
      this.droppable.push({ position: this.events.length - 1, size });
      this.retainedSize += size;
      this.dropOverBudget();
    }
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

  /** Everything pushed so far and still kept, in order. */
  snapshot(): readonly T[] {
    return this.events.filter((event): event is T => event !== DROPPED);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let position = 0;
    for (;;) {
      while (position < this.events.length) {
        const event = this.events[position++] as T | typeof DROPPED;
        if (event !== DROPPED) yield event;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => this.waiters.add(resolve));
    }
  }

  private dropOverBudget(): void {
    const budget = this.options.replayBudget ?? Infinity;
    while (this.retainedSize > budget && this.droppable.length - this.droppableHead > 1) {
      const oldest = this.droppable[this.droppableHead++] as { position: number; size: number };
      this.events[oldest.position] = DROPPED;
      this.retainedSize -= oldest.size;
    }
    // Forget dropped entries in bulk, so the bookkeeping stays proportional to what is kept.
    if (this.droppableHead > 1024 && this.droppableHead * 2 > this.droppable.length) {
      this.droppable.splice(0, this.droppableHead);
      this.droppableHead = 0;
    }
  }

  private wake(): void {
    const waiting = [...this.waiters];
    this.waiters.clear();
    for (const resolve of waiting) resolve();
  }
}
