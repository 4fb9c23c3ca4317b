import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../sip';
import { markWords, waitsForPeer } from './chat-mark';

const msg = (status: ChatMessage['status'], direction: ChatMessage['direction'] = 'out', error?: string): ChatMessage => ({ id: status, peer: 'bob', direction, text: 't', at: 1, status, ...(error ? { error } : {}) });

describe('chat marks in words', () => {
  it('says where each message stands, in plain words', () => {
    expect(markWords(msg('stored'), 'bob')).toBe('stored for bob — they are offline');
    expect(markWords(msg('delivered'), 'bob')).toBe('delivered');
    expect(markWords(msg('sent'), 'bob')).toBe('delivered');
    expect(markWords(msg('read'), 'bob')).toBe('read');
    expect(markWords(msg('failed', 'out', 'nobody has the name bob'), 'bob')).toBe('not delivered: nobody has the name bob');
    expect(markWords(msg('received', 'in'), 'bob')).toBe('');
  });

  it('says the conversation waits only while the last message out is stored', () => {
    expect(waitsForPeer([msg('stored')])).toBe(true);
    expect(waitsForPeer([msg('stored'), msg('received', 'in')])).toBe(true);
    expect(waitsForPeer([msg('stored'), { ...msg('delivered'), id: 'x' }])).toBe(false);
    expect(waitsForPeer([])).toBe(false);
  });
});
