/** The event queue runs events by time, then in insertion order, whatever order they were pushed in. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  it('pops by time then insertion, with pushes between pops never earlier than the last pop', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }), (ops) => {
        const q = new EventQueue();
        const ref: { time: number; seq: number }[] = [];
        let now = 0;
        let seq = 0;
        const popped: number[] = [];
        const expected: number[] = [];
        for (const [dt, pop] of ops) {
          const s = seq++;
          q.push(now + dt, () => popped.push(s));
          ref.push({ time: now + dt, seq: s });
          if (pop) {
            ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = ref.shift()!;
            expected.push(want.seq);
            const e = q.pop()!;
            expect(e.time).toBe(want.time);
            e.fn!();
            now = e.time;
          }
        }
        expect(popped).toEqual(expected);
        expect(q.size).toBe(ref.length);
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('takes an event earlier than the one it was looking at (the clock stood before the next bucket)', () => {
    const q = new EventQueue();
    const order: string[] = [];
    q.push(100, () => order.push('late'));
    expect(q.peek()?.time).toBe(100);
    q.push(50, () => order.push('early'));
    q.push(100, () => order.push('late2'));
    while (q.size > 0) q.pop()!.fn!();
    expect(order).toEqual(['early', 'late', 'late2']);
  });
});
