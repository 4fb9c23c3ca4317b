import { describe, expect, it } from 'vitest';
import type { RTCSession } from 'jssip/lib/RTCSession';
import { CallHold } from './call-hold';

function track(kind: 'audio' | 'video', label: string) {
  const t = { kind, label, enabled: true, stopped: false, stop: () => void (t.stopped = true) };
  return t as unknown as MediaStreamTrack & { stopped: boolean };
}

/** A call with a microphone and a camera sender; hold() and unhold() re-offer at once, as JsSIP does when ready. */
function call(mic: MediaStreamTrack, cam: MediaStreamTrack) {
  const senders = [mic, cam].map((t) => {
    const s = { track: t as MediaStreamTrack | null, replaceTrack: (next: MediaStreamTrack | null) => Promise.resolve(void (s.track = next)) };
    return s;
  });
  let held = false;
  const session = {
    connection: { getSenders: () => senders },
    isEnded: () => false,
    isOnHold: () => ({ local: held, remote: false }),
    hold: () => (held = true),
    unhold: () => !(held = false),
  } as unknown as RTCSession;
  return { session, senders };
}

describe('CallHold', () => {
  it('takes the tracks off a held call and puts them back when it resumes', async () => {
    const [mic, cam] = [track('audio', 'mic'), track('video', 'cam')];
    const { session, senders } = call(mic, cam);
    const holds = new CallHold();
    await holds.hold(session);
    expect(senders.map((s) => s.track)).toEqual([null, null]);
    await holds.resume(session);
    expect(senders.map((s) => s.track)).toEqual([mic, cam]);
    expect(mic.stopped || cam.stopped).toBe(false);
  });

  it('a camera or microphone switched while the call is held is the one sent when it resumes; the old one is stopped', async () => {
    const [mic, cam1, cam2, mic2] = [track('audio', 'mic'), track('video', 'cam 1'), track('video', 'cam 2'), track('audio', 'mic 2')];
    mic.enabled = false; // muted before the hold
    const { session, senders } = call(mic, cam1);
    const holds = new CallHold();
    await holds.hold(session);
    expect(holds.replaceParked(session, cam2)).toEqual({ kind: 'switched', old: cam1 });
    expect(holds.replaceParked(session, mic2)).toEqual({ kind: 'switched', old: mic });
    // Nothing is sent while held, the new camera included.
    expect(senders.map((s) => s.track)).toEqual([null, null]);
    expect([cam1.stopped, mic.stopped, cam2.stopped]).toEqual([true, true, false]);
    await holds.resume(session);
    expect(senders.map((s) => s.track)).toEqual([mic2, cam2]);
    expect(mic2.enabled).toBe(false);
  });

  it('a call that is not held has no parked track to replace', async () => {
    const { session } = call(track('audio', 'mic'), track('video', 'cam'));
    expect(new CallHold().replaceParked(session, track('video', 'cam 2'))).toBeNull();
  });
});
