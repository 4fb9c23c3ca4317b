import { describe, expect, it } from 'vitest';
import { MemoryKeyValueStore } from '../identity';
import { parseRememberedDevices, resolveDevice } from './device-memory';
import { DeviceChoice, type MediaDevicesLike } from './media-devices';

const cam = (deviceId: string, label: string) => ({ deviceId, label, kind: 'videoinput', groupId: '', toJSON: () => ({}) }) as MediaDeviceInfo;
const mic = (deviceId: string, label: string) => ({ deviceId, label, kind: 'audioinput', groupId: '', toJSON: () => ({}) }) as MediaDeviceInfo;
const out = (deviceId: string, label: string) => ({ deviceId, label, kind: 'audiooutput', groupId: '', toJSON: () => ({}) }) as MediaDeviceInfo;

/** A browser's media devices whose list the test changes; getUserMedia gives a track of the device asked for (or the first). */
class FakeMedia implements MediaDevicesLike {
  asked: MediaStreamConstraints[] = [];
  private changed: (() => void) | null = null;
  constructor(public list: MediaDeviceInfo[]) {}
  enumerateDevices(): Promise<MediaDeviceInfo[]> {
    return Promise.resolve(this.list);
  }
  getUserMedia(c: MediaStreamConstraints): Promise<MediaStream> {
    this.asked.push(c);
    const video = c.video !== false && c.video !== undefined;
    const want = (video ? c.video : c.audio) as MediaTrackConstraints | true;
    const kind = video ? 'videoinput' : 'audioinput';
    const asked = want === true ? {} : (want.deviceId as { ideal?: string; exact?: string });
    const exact = asked.exact === undefined ? undefined : this.list.find((d) => d.kind === kind && d.deviceId === asked.exact);
    if (asked.exact !== undefined && !exact) return Promise.reject(Object.assign(new Error('no such device'), { name: 'OverconstrainedError' }));
    const device = exact ?? this.list.find((d) => d.kind === kind && d.deviceId === asked.ideal) ?? this.list.find((d) => d.kind === kind)!;
    const track = { kind: video ? 'video' : 'audio', label: device.label, enabled: true, stop: () => undefined, getSettings: () => ({ deviceId: device.deviceId }) } as unknown as MediaStreamTrack;
    return Promise.resolve({ getTracks: () => [track], getVideoTracks: () => (video ? [track] : []), getAudioTracks: () => (video ? [] : [track]) } as unknown as MediaStream);
  }
  addEventListener(_t: 'devicechange', fn: () => void): void {
    this.changed = fn;
  }
  removeEventListener(): void {
    this.changed = null;
  }
  /** Plugs or unplugs: the browser lists `list` and says devicechange. */
  async plug(list: MediaDeviceInfo[]): Promise<void> {
    this.list = list;
    this.changed?.();
    await new Promise((r) => setTimeout(r, 0));
  }
}

const TWO_CAMERAS = [mic('default', 'Default mic'), mic('m2', 'USB mic'), cam('c1', 'Built-in camera'), cam('c2', 'USB camera'), out('default', 'Default speaker'), out('s2', 'Headphones')];

async function choiceOver(media: FakeMedia, settings = new MemoryKeyValueStore()) {
  const d = new DeviceChoice({ media, settings, speakerSupported: true });
  await d.start();
  return { d, settings };
}

describe('resolveDevice', () => {
  const listed = [
    { deviceId: 'a', label: 'Cam A' },
    { deviceId: 'b', label: 'Cam B' },
  ];
  it('finds the remembered device by its id', () => {
    expect(resolveDevice({ deviceId: 'b', label: 'Cam B' }, listed)).toEqual({ deviceId: 'b', matchedBy: 'id', missing: null });
  });
  it('finds it by its label when the browser gave it a new id', () => {
    expect(resolveDevice({ deviceId: 'old', label: 'Cam B' }, listed)).toEqual({ deviceId: 'b', matchedBy: 'label', missing: null });
  });
  it('falls back to the default, naming the missing device, when neither id nor label is listed', () => {
    const gone = { deviceId: 'old', label: 'Cam C' };
    expect(resolveDevice(gone, listed)).toEqual({ deviceId: null, matchedBy: null, missing: gone });
  });
  it('an empty label never matches another device', () => {
    const gone = { deviceId: 'old', label: '' };
    expect(resolveDevice(gone, [{ deviceId: 'x', label: '' }, ...listed]).missing).toEqual(gone);
  });
  it('keeps the remembered id, calling nothing missing, while the browser lists blank entries (no permission yet)', () => {
    expect(resolveDevice({ deviceId: 'old', label: 'Cam C' }, [{ deviceId: '', label: '' }])).toEqual({ deviceId: 'old', matchedBy: null, missing: null });
  });
  it('no choice is the default', () => {
    expect(resolveDevice(undefined, listed)).toEqual({ deviceId: null, matchedBy: null, missing: null });
  });
});

describe('parseRememberedDevices: a damaged stored value costs that choice only', () => {
  it.each([
    ['a string', 'camera=c1'],
    ['an array', [{ deviceId: 'c1', label: 'x' }]],
    ['a number', 7],
  ])('%s is refused as damaged', (_what, raw) => {
    expect(parseRememberedDevices(raw)).toEqual({ devices: {}, damaged: true });
  });
  it('keeps the good kinds and drops a malformed one', () => {
    const raw = { camera: { deviceId: 'c1', label: 'Cam' }, microphone: { deviceId: 5, label: 'x' }, speaker: { deviceId: 'x'.repeat(10_000), label: '' } };
    expect(parseRememberedDevices(raw)).toEqual({ devices: { camera: { deviceId: 'c1', label: 'Cam' } }, damaged: true });
  });
  it('nothing stored is no choice, not damage', () => {
    expect(parseRememberedDevices(undefined)).toEqual({ devices: {}, damaged: false });
  });
});

describe('DeviceChoice', () => {
  it('lists the devices by kind and uses the defaults before any choice', async () => {
    const { d } = await choiceOver(new FakeMedia(TWO_CAMERAS));
    const s = d.getSnapshot();
    expect(s.available.camera.map((c) => c.label)).toEqual(['Built-in camera', 'USB camera']);
    expect(s.available.speaker.map((c) => c.deviceId)).toEqual(['default', 's2']);
    expect(s.inUse).toEqual({ camera: null, microphone: null, speaker: null });
    expect(d.constraints(true)).toEqual({ audio: true, video: true });
    expect(d.constraints(false)).toEqual({ audio: true, video: false });
    expect(s.notices).toEqual([]);
  });

  it('a chosen camera and microphone are what calls and recordings ask for, and survive a reload', async () => {
    const media = new FakeMedia(TWO_CAMERAS);
    const { d, settings } = await choiceOver(media);
    await d.choose('camera', 'c2');
    await d.choose('microphone', 'm2');
    await d.choose('speaker', 's2');
    expect(d.constraints(true)).toEqual({ audio: { deviceId: { exact: 'm2' } }, video: { deviceId: { exact: 'c2' } } });
    expect(d.speakerId()).toBe('s2');
    // A new page over the same settings.
    const again = (await choiceOver(new FakeMedia(TWO_CAMERAS), settings)).d;
    expect(again.getSnapshot().inUse).toEqual({ camera: 'c2', microphone: 'm2', speaker: 's2' });
    expect(again.constraints(false)).toEqual({ audio: { deviceId: { exact: 'm2' } }, video: false });
  });

  it('when the browser changed the ids, the device is found by its label and its new id remembered', async () => {
    const { d, settings } = await choiceOver(new FakeMedia(TWO_CAMERAS));
    await d.choose('camera', 'c2');
    const renamed = TWO_CAMERAS.map((x) => (x.kind === 'videoinput' ? cam(`new-${x.deviceId}`, x.label) : x));
    const again = (await choiceOver(new FakeMedia(renamed), settings)).d;
    expect(again.getSnapshot().inUse.camera).toBe('new-c2');
    expect(again.getSnapshot().notices).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(await settings.get('media-devices')).toEqual({ camera: { deviceId: 'new-c2', label: 'USB camera' } });
  });

  it('a remembered camera that is unplugged falls back to the default with a plain notice, and is used again when it is back', async () => {
    const media = new FakeMedia(TWO_CAMERAS);
    const { d } = await choiceOver(media);
    await d.choose('camera', 'c2');
    await media.plug(TWO_CAMERAS.filter((x) => x.deviceId !== 'c2'));
    expect(d.getSnapshot().inUse.camera).toBeNull();
    expect(d.constraints(true).video).toBe(true);
    expect(d.getSnapshot().notices).toEqual(['The camera you chose (USB camera) is not connected, so the default camera is used.']);
    await media.plug(TWO_CAMERAS);
    expect(d.getSnapshot().inUse.camera).toBe('c2');
    expect(d.getSnapshot().notices).toEqual([]);
  });

  it('damaged settings give the defaults and say so; the next choice replaces them', async () => {
    const settings = new MemoryKeyValueStore();
    await settings.set('media-devices', 'not an object');
    const { d } = await choiceOver(new FakeMedia(TWO_CAMERAS), settings);
    expect(d.getSnapshot().inUse).toEqual({ camera: null, microphone: null, speaker: null });
    expect(d.getSnapshot().notices).toEqual(['Your saved choice of devices could not be read, so the default devices are used.']);
    await d.choose('microphone', 'm2');
    expect(d.getSnapshot().notices).toEqual([]);
    expect(await settings.get('media-devices')).toEqual({ microphone: { deviceId: 'm2', label: 'USB mic' } });
  });

  it('refuses to remember a device the browser does not list, and keeps the earlier choice', async () => {
    const { d, settings } = await choiceOver(new FakeMedia(TWO_CAMERAS));
    await d.choose('camera', 'c1');
    await expect(d.choose('camera', 'c9')).rejects.toThrow(RangeError);
    await expect(d.choose('camera', '')).rejects.toThrow(RangeError);
    expect(d.getSnapshot().inUse.camera).toBe('c1');
    expect(await settings.get('media-devices')).toEqual({ camera: { deviceId: 'c1', label: 'Built-in camera' } });
  });

  it('choosing the default forgets the choice', async () => {
    const { d, settings } = await choiceOver(new FakeMedia(TWO_CAMERAS));
    await d.choose('camera', 'c2');
    await d.choose('camera', null);
    expect(d.getSnapshot().inUse.camera).toBeNull();
    expect(await settings.get('media-devices')).toEqual({});
  });

  it('openTrack opens the chosen device, and says so when the browser gave another', async () => {
    const media = new FakeMedia(TWO_CAMERAS);
    const { d } = await choiceOver(media);
    await d.choose('camera', 'c2');
    const t = await d.openTrack('camera');
    expect(t.getSettings().deviceId).toBe('c2');
    expect(media.asked.at(-1)).toEqual({ video: { deviceId: { exact: 'c2' } }, audio: false });
    // Unplugged between the listing and the opening: exact fails, and the default is opened instead.
    media.list = TWO_CAMERAS.filter((x) => x.deviceId !== 'c2');
    const other = await d.openTrack('camera');
    expect(other.getSettings().deviceId).toBe('c1');
    expect(media.asked.slice(-2)).toEqual([{ video: { deviceId: { exact: 'c2' } }, audio: false }, { video: true, audio: false }]);
    expect(d.getSnapshot().notices).toContain('The camera you chose (USB camera) is not connected, so the default camera is used.');
  });

  it('a remembered id the browser cannot list yet (no permission) is asked for as ideal, so a missing one gives the default', async () => {
    const settings = new MemoryKeyValueStore();
    await settings.set('media-devices', { camera: { deviceId: 'c2', label: 'USB camera' } });
    const blank = [mic('', ''), cam('', ''), out('', '')];
    const { d } = await choiceOver(new FakeMedia(blank), settings);
    expect(d.constraints(true).video).toEqual({ deviceId: { ideal: 'c2' } });
    expect(d.getSnapshot()).toMatchObject({ labelled: false, notices: [] });
  });

  it('a recording opens the chosen camera and microphone together, and the defaults when they are gone', async () => {
    const media = new FakeMedia(TWO_CAMERAS);
    const { d } = await choiceOver(media);
    await d.choose('camera', 'c2');
    await d.openStream(true);
    expect(media.asked.at(-1)).toEqual({ audio: true, video: { deviceId: { exact: 'c2' } } });
    media.list = TWO_CAMERAS.filter((x) => x.deviceId !== 'c2');
    await d.openStream(true);
    expect(media.asked.at(-1)).toEqual({ audio: true, video: true });
  });

  it('a browser without media devices is said so and asks for nothing', async () => {
    const d = new DeviceChoice({ media: null, settings: new MemoryKeyValueStore(), speakerSupported: false });
    await d.start();
    expect(d.getSnapshot()).toMatchObject({ ready: true, supported: false, speakerSupported: false });
    await expect(d.openTrack('camera')).rejects.toThrow(/no camera or microphone/);
  });

  it('a settings store that fails to read gives the defaults with a notice', async () => {
    const settings = new MemoryKeyValueStore();
    settings.get = () => Promise.reject(new Error('IndexedDB is closed'));
    const { d } = await choiceOver(new FakeMedia(TWO_CAMERAS), settings);
    expect(d.getSnapshot().inUse.camera).toBeNull();
    expect(d.getSnapshot().notices).toHaveLength(1);
  });
});
