/**
 * Mail is the peer's, not the phone's (issue 14): PeerMail opens one
 * MailService when the phone is ready with a name, a new one when the name
 * changes, and closes it when the name goes or the peer leaves.
 */
import { describe, expect, it } from 'vitest';
import type { UserIdentity } from '../identity';
import { MemoryKeyValueStore } from '../identity';
import type { OverlayNode } from '../overlay';
import type { MailService, MailServiceOptions } from './mail-service';
import { PeerMail } from './peer-mail';
import type { CallService, CallServiceSnapshot } from './call-service';
// Snapshots moves to app/common (issue 14, shared part); the merge points this at ../common.
import { Snapshots } from '../common';

/** A phone that only has a snapshot, changed by the test. */
function fakePhone() {
  const snaps = new Snapshots<CallServiceSnapshot>({ status: 'starting', name: null, error: null, iceText: '', inRing: false, ringRefusal: null });
  const phone = { subscribe: snaps.subscribe, getSnapshot: snaps.getSnapshot, resolve: async () => null } as unknown as CallService;
  return { phone, set: (patch: Partial<CallServiceSnapshot>) => snaps.update(patch) };
}

/** MailServices that only record their name and whether they were started and closed. */
function fakeOpen() {
  const opened: { name: string; started: boolean; closed: boolean }[] = [];
  const open = (o: MailServiceOptions): MailService => {
    const m = { name: o.name, started: false, closed: false };
    opened.push(m);
    return { start: async () => void (m.started = true), close: () => void (m.closed = true) } as unknown as MailService;
  };
  return { open, opened };
}

function setUp() {
  const { phone, set } = fakePhone();
  const { open, opened } = fakeOpen();
  const mail = new PeerMail({ node: {} as OverlayNode, user: {} as UserIdentity, phone, store: new MemoryKeyValueStore(), open });
  return { mail, set, opened };
}

describe('the peer owns the mail, which follows the phone’s name', () => {
  it('opens mail once the phone is ready with a name, and only once while the name stays', () => {
    const { mail, set, opened } = setUp();
    expect(mail.current).toBeNull();
    set({ status: 'starting', name: 'alice' });
    expect(mail.current).toBeNull();
    set({ status: 'ready', name: 'alice' });
    expect(mail.current).not.toBeNull();
    set({ inRing: true });
    expect(opened).toEqual([{ name: 'alice', started: true, closed: false }]);
    expect(mail.getSnapshot().mail).toBe(mail.current);
  });

  it('closes the mail when the name goes and opens a new one for the next name', () => {
    const { mail, set, opened } = setUp();
    set({ status: 'ready', name: 'alice' });
    set({ status: 'failed', error: 'taken' });
    expect(mail.current).toBeNull();
    expect(opened[0]!.closed).toBe(true);
    set({ status: 'ready', name: 'bob', error: null });
    expect(opened.map((m) => m.name)).toEqual(['alice', 'bob']);
    set({ status: 'no-name', name: null });
    expect(opened[1]!.closed).toBe(true);
  });

  it('close() closes the mail and stops following the phone', () => {
    const { mail, set, opened } = setUp();
    set({ status: 'ready', name: 'alice' });
    mail.close();
    expect(opened[0]!.closed).toBe(true);
    set({ status: 'ready', name: 'bob' });
    expect(mail.current).toBeNull();
    expect(opened).toHaveLength(1);
  });
});
