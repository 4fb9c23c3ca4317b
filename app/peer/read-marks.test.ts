/** Unread counts (issue 18): marks kept per conversation, across a reload, damaged storage dropped entry by entry. */
import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import type { ChatMessage } from '../sip';
import { READ_MARKS_KEY, ReadMarks } from './read-marks';

const msg = (id: string, at: number, direction: 'in' | 'out' = 'in'): ChatMessage => ({ id, peer: 'bob', direction, text: id, at, status: direction === 'in' ? 'received' : 'sent' });

describe('ReadMarks', () => {
  it('counts incoming messages after the mark; marking read keeps across a reload; own messages never count', async () => {
    const store = new MemoryKeyValueStore();
    const marks = new ReadMarks(store);
    await marks.load();
    const chat = [msg('a', 10), msg('b', 20, 'out'), msg('c', 30)];
    expect(marks.unread('bob', chat)).toBe(2);
    await marks.markRead('bob', chat);
    expect(marks.unread('bob', chat)).toBe(0);
    expect(marks.unread('bob', [...chat, msg('d', 40)])).toBe(1);
    const again = new ReadMarks(store);
    await again.load();
    expect(again.unread('bob', [...chat, msg('d', 40)])).toBe(1);
    // An older view does not move the mark back.
    await again.markRead('bob', [msg('a', 10)]);
    expect(again.getSnapshot()['bob']).toBe(30);
  });

  it('damaged storage: bad names and times are dropped, the rest kept; a wrong shape is no marks', async () => {
    const store = new MemoryKeyValueStore();
    await store.set(READ_MARKS_KEY, { bob: 5, 'Bad Name': 5, carol: -1, dave: 'x', erin: 1.5 });
    const marks = new ReadMarks(store);
    await marks.load();
    expect(marks.getSnapshot()).toEqual({ bob: 5 });
    await store.set(READ_MARKS_KEY, ['bob', 5]);
    await marks.load();
    expect(marks.getSnapshot()).toEqual({});
  });
});
