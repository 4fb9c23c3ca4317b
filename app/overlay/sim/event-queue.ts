/**
 * Timed events, run by time then insertion, so equal times run in a fixed
 * order. Virtual time is whole milliseconds and thousands of events share a
 * millisecond at 10,000 nodes, so events sit in one bucket per millisecond
 * (appended in insertion order) and only the distinct times are kept in a
 * binary heap: a push is a Map lookup and an array append, not a sift of
 * every event through a heap of hundreds of thousands.
 */
export interface SimEvent {
  time: number;
  fn: (() => void) | null;
}

export class EventQueue {
  private readonly buckets = new Map<number, SimEvent[]>();
  /** Min-heap of the times that have a bucket. */
  private readonly times: number[] = [];
  /** The earliest bucket and how far into it the queue has run. */
  private cur: SimEvent[] | null = null;
  private curTime = 0;
  private pos = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(time: number, fn: () => void): SimEvent {
    const e: SimEvent = { time, fn };
    let bucket = this.buckets.get(time);
    if (!bucket) {
      bucket = [];
      this.buckets.set(time, bucket);
      this.pushTime(time);
      if (this.cur && time < this.curTime) {
        // An event earlier than the bucket the queue was looking at (the clock stood before it).
        if (this.pos > 0) this.cur.splice(0, this.pos);
        this.cur = null;
        this.pos = 0;
      }
    }
    bucket.push(e);
    this.count++;
    return e;
  }

  peek(): SimEvent | undefined {
    const b = this.current();
    return b ? b[this.pos] : undefined;
  }

  pop(): SimEvent | undefined {
    const b = this.current();
    if (!b) return undefined;
    this.count--;
    return b[this.pos++];
  }

  /** The earliest bucket with events left, dropping finished ones. */
  private current(): SimEvent[] | null {
    for (;;) {
      if (this.cur && this.pos < this.cur.length) return this.cur;
      if (this.cur) {
        this.buckets.delete(this.popTime());
        this.cur = null;
        this.pos = 0;
      }
      if (this.times.length === 0) return null;
      this.curTime = this.times[0]!;
      this.cur = this.buckets.get(this.curTime)!;
    }
  }

  private pushTime(t: number): void {
    const h = this.times;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! <= t) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = t;
  }

  private popTime(): number {
    const h = this.times;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= h.length) break;
        const r = l + 1;
        const m = r < h.length && h[r]! < h[l]! ? r : l;
        if (h[m]! >= last) break;
        h[i] = h[m]!;
        i = m;
      }
      h[i] = last;
    }
    return top;
  }
}
