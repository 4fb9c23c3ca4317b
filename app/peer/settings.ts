/**
 * Per-profile settings that must be read synchronously at start-up, kept in
 * localStorage; the per-tab slot hint lives in sessionStorage, which survives
 * a reload of that tab and nothing else.
 */
const SERVERS_KEY = 'p2p-softphone/signaling-servers';
const SLOT_KEY = 'p2p-softphone/node-slot';
const ICE_KEY = 'p2p-softphone/ice-servers';

/** The ICE servers text the person saved ('' when none, or when it could not be read). */
export function loadIceSetting(): string {
  try {
    return localStorage.getItem(ICE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveIceSetting(text: string): void {
  try {
    if (text.trim() === '') localStorage.removeItem(ICE_KEY);
    else localStorage.setItem(ICE_KEY, text);
  } catch {
    // Storage may be disabled; the list then lasts for this page only.
  }
}

export function loadServerSetting(): { text: string | null; error: string | null } {
  try {
    const raw = localStorage.getItem(SERVERS_KEY);
    if (raw === null) return { text: null, error: null };
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) {
      return { text: null, error: 'The saved list of signaling servers was damaged, so the default server is used.' };
    }
    return { text: parsed.join('\n'), error: null };
  } catch {
    return { text: null, error: 'The saved list of signaling servers could not be read, so the default server is used.' };
  }
}

export function saveServerSetting(urls: string[] | null): void {
  try {
    if (urls === null) localStorage.removeItem(SERVERS_KEY);
    else localStorage.setItem(SERVERS_KEY, JSON.stringify(urls));
  } catch {
    // Storage may be disabled; the list then lasts for this page only.
  }
}

export function loadSlotHint(): number | undefined {
  try {
    const v = sessionStorage.getItem(SLOT_KEY);
    if (v === null) return undefined;
    const n = Number(v);
    return Number.isInteger(n) && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function saveSlotHint(slot: number): void {
  try {
    sessionStorage.setItem(SLOT_KEY, String(slot));
  } catch {
    // Without sessionStorage a reload takes the first free slot instead.
  }
}
