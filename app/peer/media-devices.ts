/**
 * The person's camera, microphone and speaker: the devices the browser lists
 * (enumerateDevices, kept fresh on `devicechange`), the remembered choice
 * (device-memory.ts, in the profile's settings store), and the constraints
 * calls and video mail open their media with. React-free; the card in
 * app/ui/devices-card.tsx renders it.
 */
import type { KeyValueStore } from '../identity';
import { Snapshots } from '../common';
import {
  DEVICE_KINDS,
  MEDIA_DEVICE_KIND,
  deviceConstraint,
  isMissingDeviceError,
  missingDeviceWords,
  parseRememberedDevices,
  resolveDevice,
  type DeviceInfo,
  type DeviceKind,
  type RememberedDevices,
} from './device-memory';

const DEVICES_KEY = 'media-devices';

/** The part of `navigator.mediaDevices` used here (injected, so tests give their own). */
export interface MediaDevicesLike {
  enumerateDevices(): Promise<MediaDeviceInfo[]>;
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  addEventListener?(type: 'devicechange', listener: () => void): void;
  removeEventListener?(type: 'devicechange', listener: () => void): void;
}

export interface DeviceChoiceOptions {
  /** The browser's media devices; null where there are none (no secure context, Node). */
  media: MediaDevicesLike | null;
  /** Where the choices are remembered (the profile's settings). */
  settings: KeyValueStore;
  /** Whether media elements can be pointed at a speaker (HTMLMediaElement.setSinkId). */
  speakerSupported: boolean;
}

export interface DeviceChoiceSnapshot {
  /** False until the stored choices were read and the devices listed once. */
  ready: boolean;
  /** Whether the browser has media devices at all. */
  supported: boolean;
  /** Whether a speaker can be chosen (setSinkId); where not, sound goes to the system's default. */
  speakerSupported: boolean;
  /** The devices listed now, by kind (blank labels until the person allowed the camera or microphone). */
  available: Record<DeviceKind, DeviceInfo[]>;
  /** Whether the browser shows device names (it hides them until media permission is given). */
  labelled: boolean;
  /** The device each kind uses now: the choice, or null for the default. */
  inUse: Record<DeviceKind, string | null>;
  /** Plain notices: a chosen device that is gone, settings that could not be read. */
  notices: string[];
}

const NONE: Record<DeviceKind, DeviceInfo[]> = { camera: [], microphone: [], speaker: [] };

/**
 * One tab's device choice. `start()` reads the stored choices and lists the
 * devices; `choose()` remembers one; `constraints()` and `openTrack()` are
 * what calls and recordings open their media with.
 */
export class DeviceChoice {
  private readonly snaps: Snapshots<DeviceChoiceSnapshot>;
  readonly subscribe: Snapshots<DeviceChoiceSnapshot>['subscribe'];
  readonly getSnapshot: Snapshots<DeviceChoiceSnapshot>['getSnapshot'];
  private remembered: RememberedDevices = {};
  private damaged = false;
  /** Notices from opening a device (it failed or gave another one), kept until the next choice. */
  private openNotices: string[] = [];
  private readonly onChange = (): void => void this.refresh();
  private refreshes = 0;

  constructor(private readonly o: DeviceChoiceOptions) {
    this.snaps = new Snapshots<DeviceChoiceSnapshot>({
      ready: false,
      supported: o.media !== null,
      speakerSupported: o.speakerSupported,
      available: NONE,
      labelled: false,
      inUse: { camera: null, microphone: null, speaker: null },
      notices: [],
    });
    this.subscribe = this.snaps.subscribe;
    this.getSnapshot = this.snaps.getSnapshot;
  }

  /** Reads the remembered choices, lists the devices, and follows devices being plugged in or out. */
  async start(): Promise<void> {
    try {
      const parsed = parseRememberedDevices(await this.o.settings.get(DEVICES_KEY));
      this.remembered = parsed.devices;
      this.damaged = parsed.damaged;
    } catch {
      this.damaged = true;
    }
    this.o.media?.addEventListener?.('devicechange', this.onChange);
    await this.refresh();
  }

  stop(): void {
    this.o.media?.removeEventListener?.('devicechange', this.onChange);
  }

  /** Lists the devices again and matches the choices against them. */
  async refresh(): Promise<void> {
    const attempt = ++this.refreshes;
    let available = NONE;
    if (this.o.media) {
      try {
        const list = await this.o.media.enumerateDevices();
        available = { camera: [], microphone: [], speaker: [] };
        for (const kind of DEVICE_KINDS) {
          available[kind] = list.filter((d) => d.kind === MEDIA_DEVICE_KIND[kind]).map((d) => ({ deviceId: d.deviceId, label: d.label }));
        }
      } catch {
        available = NONE;
      }
    }
    if (attempt !== this.refreshes) return;
    this.show(available);
  }

  private show(available: Record<DeviceKind, DeviceInfo[]>): void {
    const inUse: Record<DeviceKind, string | null> = { camera: null, microphone: null, speaker: null };
    const notices: string[] = [];
    if (this.damaged) notices.push('Your saved choice of devices could not be read, so the default devices are used.');
    let relabelled = false;
    for (const kind of DEVICE_KINDS) {
      const r = resolveDevice(this.remembered[kind], available[kind]);
      inUse[kind] = r.deviceId;
      if (r.missing) notices.push(missingDeviceWords(kind, r.missing));
      if (r.matchedBy === 'label' && r.deviceId !== null) {
        // The browser gave the device a new id: remember that one, so the next visit finds it by id.
        this.remembered = { ...this.remembered, [kind]: { deviceId: r.deviceId, label: this.remembered[kind]!.label } };
        relabelled = true;
      }
    }
    if (relabelled) void this.save();
    const labelled = DEVICE_KINDS.some((k) => available[k].some((d) => d.label !== ''));
    this.snaps.update({ ready: true, available, labelled, inUse, notices: [...notices, ...this.openNotices] });
  }

  private async save(): Promise<void> {
    try {
      await this.o.settings.set(DEVICES_KEY, this.remembered);
      this.damaged = false;
    } catch {
      // Storage may be refused (private mode): the choice lasts for this page.
    }
  }

  /**
   * Remembers `deviceId` for `kind` (null: the browser's default), with its
   * label as listed now. An id the browser does not list is refused with a
   * RangeError, so a stale menu cannot store a device that is not there.
   */
  async choose(kind: DeviceKind, deviceId: string | null): Promise<void> {
    const snap = this.getSnapshot();
    if (deviceId === null) {
      const rest = { ...this.remembered };
      delete rest[kind];
      this.remembered = rest;
    } else {
      const device = snap.available[kind].find((d) => d.deviceId === deviceId);
      if (!device || deviceId === '') throw new RangeError(`there is no such ${kind}`);
      this.remembered = { ...this.remembered, [kind]: { deviceId, label: device.label } };
    }
    this.openNotices = [];
    await this.save();
    this.show(snap.available);
  }

  /** The constraints for one input device as chosen (`true`: the default). */
  trackConstraints(kind: 'camera' | 'microphone'): MediaTrackConstraints | true {
    const snap = this.getSnapshot();
    const id = snap.inUse[kind];
    return deviceConstraint(id, snap.available[kind].some((d) => d.deviceId === id));
  }

  /** What a call or a recording asks getUserMedia for: the chosen microphone, and the chosen camera when `video`. */
  constraints(video: boolean): MediaStreamConstraints {
    return { audio: this.trackConstraints('microphone'), video: video ? this.trackConstraints('camera') : false };
  }

  /** The speaker media elements play to ('' for the default), as setSinkId takes it. */
  speakerId(): string {
    return this.getSnapshot().inUse.speaker ?? '';
  }

  /**
   * Opens one track of the chosen camera or microphone (for switching it
   * into a call). When the browser gives another device (the chosen one
   * went away), a notice says so. Rejects with the browser's error
   * (NotAllowedError, NotReadableError…) when none can be opened.
   */
  async openTrack(kind: 'camera' | 'microphone'): Promise<MediaStreamTrack> {
    const media = this.o.media;
    if (!media) throw new Error('this browser has no camera or microphone access here');
    const ask = (c: MediaTrackConstraints | true) => media.getUserMedia(kind === 'camera' ? { video: c, audio: false } : { audio: c, video: false });
    let stream: MediaStream;
    try {
      stream = await ask(this.trackConstraints(kind));
    } catch (e) {
      // Unplugged since the last listing: the default, and checkOpened says so.
      if (!isMissingDeviceError(e)) throw e;
      stream = await ask(true);
    }
    const track = kind === 'camera' ? stream.getVideoTracks()[0] : stream.getAudioTracks()[0];
    stream.getTracks().forEach((t) => t !== track && t.stop());
    if (!track) throw new Error(`the browser gave no ${kind}`);
    this.checkOpened(kind, track);
    // A first permission reveals the devices' names.
    if (!this.getSnapshot().labelled) void this.refresh();
    return track;
  }

  /** Says so when an opened track is not the chosen device. */
  checkOpened(kind: 'camera' | 'microphone', track: MediaStreamTrack): void {
    const wanted = this.getSnapshot().inUse[kind];
    const got = track.getSettings?.().deviceId;
    if (wanted === null || got === undefined || got === wanted) return;
    const label = this.getSnapshot().available[kind].find((d) => d.deviceId === wanted)?.label;
    const words = missingDeviceWords(kind, { deviceId: wanted, label: label ?? '' });
    if (!this.openNotices.includes(words)) {
      this.openNotices = [...this.openNotices, words];
      this.snaps.update({ notices: [...this.getSnapshot().notices.filter((n) => n !== words), words] });
    }
  }

  /**
   * Opens the chosen camera (when `video`) and microphone together, as video
   * mail records them; a chosen device that went away gives the default.
   */
  async openStream(video: boolean): Promise<MediaStream> {
    const media = this.o.media;
    if (!media) throw new Error('this browser has no camera or microphone access here');
    try {
      return await media.getUserMedia(this.constraints(video));
    } catch (e) {
      if (!isMissingDeviceError(e)) throw e;
      return media.getUserMedia({ audio: true, video });
    }
  }

  /**
   * Asks for camera and microphone once, so the browser names its devices
   * (it lists blank entries before), then closes them again.
   */
  async askForNames(): Promise<void> {
    const media = this.o.media;
    if (!media) return;
    const s = await media.getUserMedia({ audio: true, video: true }).catch(() => media.getUserMedia({ audio: true }));
    s.getTracks().forEach((t) => t.stop());
    await this.refresh();
  }
}

/**
 * The tab's DeviceChoice over `navigator.mediaDevices` (absent outside a
 * secure context), already starting: it lists the devices in the background.
 */
export function browserDeviceChoice(settings: KeyValueStore): DeviceChoice {
  const media = (globalThis.navigator?.mediaDevices as MediaDevicesLike | undefined) ?? null;
  const speakerSupported = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
  const devices = new DeviceChoice({ media, settings, speakerSupported });
  void devices.start();
  return devices;
}
