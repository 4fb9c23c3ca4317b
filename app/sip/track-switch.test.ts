import { describe, expect, it } from 'vitest';
import { replaceSentTrack, type TrackSender } from './track-switch';

function track(kind: 'audio' | 'video', label: string) {
  const t = { kind, label, enabled: true, stopped: false, stop: () => void (t.stopped = true) };
  return t as unknown as MediaStreamTrack & { stopped: boolean };
}

function sender(t: MediaStreamTrack | null, refuse = false): TrackSender & { track: MediaStreamTrack | null } {
  return {
    track: t,
    replaceTrack(next) {
      if (refuse) return Promise.reject(new DOMException('no', 'InvalidModificationError'));
      this.track = next;
      return Promise.resolve();
    },
  };
}

describe('replaceSentTrack', () => {
  it('puts the new camera on the video sender, stops the old one and leaves the audio sender alone', async () => {
    const mic = track('audio', 'mic');
    const cam1 = track('video', 'cam 1');
    const cam2 = track('video', 'cam 2');
    const senders = [sender(mic), sender(cam1)];
    const done = await replaceSentTrack(senders, cam2);
    expect(done).toEqual({ kind: 'switched', old: cam1 });
    expect(senders.map((s) => s.track?.label)).toEqual(['mic', 'cam 2']);
    expect(cam1.stopped).toBe(true);
    expect(mic.stopped).toBe(false);
  });

  it('a muted microphone stays muted on the new one', async () => {
    const mic1 = track('audio', 'mic 1');
    mic1.enabled = false;
    const mic2 = track('audio', 'mic 2');
    const senders = [sender(mic1)];
    await replaceSentTrack(senders, mic2);
    expect(senders[0]!.track).toBe(mic2);
    expect(mic2.enabled).toBe(false);
  });

  it('a call that sends no video stops the camera it was given and changes nothing', async () => {
    const mic = track('audio', 'mic');
    const cam = track('video', 'cam');
    const senders = [sender(mic)];
    expect(await replaceSentTrack(senders, cam)).toEqual({ kind: 'not-sent' });
    expect(cam.stopped).toBe(true);
    expect(senders[0]!.track).toBe(mic);
  });

  it('when the sender refuses the track, the old one goes on being sent and the new one is stopped', async () => {
    const cam1 = track('video', 'cam 1');
    const cam2 = track('video', 'cam 2');
    const senders = [sender(cam1, true)];
    await expect(replaceSentTrack(senders, cam2)).rejects.toThrow();
    expect(senders[0]!.track).toBe(cam1);
    expect(cam1.stopped).toBe(false);
    expect(cam2.stopped).toBe(true);
  });
});
