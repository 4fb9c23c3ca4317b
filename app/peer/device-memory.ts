/**
 * Which camera, microphone and speaker the person chose, as stored and as
 * matched against the devices the browser lists now. Pure functions: the
 * browser side (enumerateDevices, getUserMedia) is in media-devices.ts.
 *
 * A device is remembered by its deviceId and its label. Browsers change ids
 * when site data is cleared (the id is salted per origin and profile, Media
 * Capture and Streams §9.2), so a remembered id that is gone is looked up by
 * its label before falling back to the default device.
 */

/** The three kinds of device a person chooses. */
export type DeviceKind = 'camera' | 'microphone' | 'speaker';

export const DEVICE_KINDS: readonly DeviceKind[] = ['camera', 'microphone', 'speaker'];

/** The MediaDeviceInfo.kind of each (W3C Media Capture and Streams). */
export const MEDIA_DEVICE_KIND: Readonly<Record<DeviceKind, MediaDeviceKind>> = { camera: 'videoinput', microphone: 'audioinput', speaker: 'audiooutput' };

/** Longer stored ids or labels are refused as damaged (Chromium's ids are 64 hex digits). */
export const MAX_DEVICE_ID_LENGTH = 256;
export const MAX_DEVICE_LABEL_LENGTH = 256;

/** One device as remembered: its id, and its label as the fallback when ids change. */
export interface RememberedDevice {
  deviceId: string;
  label: string;
}

/** The person's choices; a kind that is absent means "the browser's default". */
export type RememberedDevices = Partial<Record<DeviceKind, RememberedDevice>>;

/** A device the browser lists (the part of MediaDeviceInfo used here). */
export interface DeviceInfo {
  deviceId: string;
  label: string;
}

/** What a remembered choice comes to among the devices listed now. */
export interface ResolvedDevice {
  /** The device to use; null for the browser's default. */
  deviceId: string | null;
  /** How the remembered device was found: by its id, by its label (its id changed), or not at all. */
  matchedBy: 'id' | 'label' | null;
  /** The remembered device, when it is not among the devices listed now (the default is used instead). */
  missing: RememberedDevice | null;
}

/**
 * Finds the remembered device among `available`: by id first, then by label
 * (ids change when site data is cleared). When the browser does not list
 * devices yet (no permission: ids and labels are empty), the remembered id
 * is kept as it is and nothing is called missing, since nothing can be told.
 */
export function resolveDevice(remembered: RememberedDevice | undefined, available: readonly DeviceInfo[]): ResolvedDevice {
  if (!remembered) return { deviceId: null, matchedBy: null, missing: null };
  if (available.some((d) => d.deviceId === remembered.deviceId)) return { deviceId: remembered.deviceId, matchedBy: 'id', missing: null };
  const listed = available.filter((d) => d.deviceId !== '' && d.label !== '');
  if (listed.length === 0 && available.every((d) => d.deviceId === '' || d.label === '')) {
    // Without permission the browser lists blank entries: the choice cannot be checked yet.
    return { deviceId: remembered.deviceId, matchedBy: null, missing: null };
  }
  const byLabel = remembered.label === '' ? undefined : listed.find((d) => d.label === remembered.label);
  if (byLabel) return { deviceId: byLabel.deviceId, matchedBy: 'label', missing: null };
  return { deviceId: null, matchedBy: null, missing: remembered };
}

function rememberedDevice(raw: unknown): RememberedDevice | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const { deviceId, label } = raw as Record<string, unknown>;
  if (typeof deviceId !== 'string' || deviceId === '' || deviceId.length > MAX_DEVICE_ID_LENGTH) return null;
  if (typeof label !== 'string' || label.length > MAX_DEVICE_LABEL_LENGTH) return null;
  return { deviceId, label };
}

/**
 * Reads the stored choices. Anything malformed (not an object, an unknown
 * shape, an over-long id) is dropped kind by kind and reported as damaged,
 * so a bad value costs that one choice and never the others.
 */
export function parseRememberedDevices(raw: unknown): { devices: RememberedDevices; damaged: boolean } {
  if (raw === undefined || raw === null) return { devices: {}, damaged: false };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { devices: {}, damaged: true };
  const devices: RememberedDevices = {};
  let damaged = false;
  for (const kind of DEVICE_KINDS) {
    const value = (raw as Record<string, unknown>)[kind];
    if (value === undefined) continue;
    const d = rememberedDevice(value);
    if (d) devices[kind] = d;
    else damaged = true;
  }
  return { devices, damaged };
}

const KIND_WORDS: Record<DeviceKind, string> = { camera: 'camera', microphone: 'microphone', speaker: 'speaker' };

/** The plain notice for a remembered device that is not there. */
export function missingDeviceWords(kind: DeviceKind, missing: RememberedDevice): string {
  const name = missing.label ? ` (${missing.label})` : '';
  return `The ${KIND_WORDS[kind]} you chose${name} is not connected, so the default ${KIND_WORDS[kind]} is used.`;
}

/**
 * Track constraints for one input device. A device the browser lists now is
 * asked for `exact`ly: Chromium does not honour an `ideal` deviceId when
 * another camera is already open, so `ideal` would quietly give the wrong
 * one. A remembered id that could not be checked (the browser lists no
 * devices before permission) is only `ideal`, so a device that is gone gives
 * the default instead of an OverconstrainedError.
 */
export function deviceConstraint(deviceId: string | null, listed: boolean): MediaTrackConstraints | true {
  if (deviceId === null) return true;
  return { deviceId: listed ? { exact: deviceId } : { ideal: deviceId } };
}

/** Whether `e` is getUserMedia's refusal of a device that is not there (so the default may be tried instead). */
export function isMissingDeviceError(e: unknown): boolean {
  const name = (e as { name?: unknown } | null)?.name;
  return name === 'OverconstrainedError' || name === 'NotFoundError';
}
