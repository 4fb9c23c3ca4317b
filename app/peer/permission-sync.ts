import type { PermissionSync } from '../permissions';

export const PERMISSION_SYNC_CHANNEL = 'p2p-softphone-permissions';

/**
 * The permission gate's cross-tab signal over a BroadcastChannel (the tabs of
 * a browser profile share its IndexedDB). The message carries nothing: a tab
 * that hears it re-reads the stored permissions, so a forged or stale message
 * can cost a reload but never change a permission. Undefined where
 * BroadcastChannel does not exist; the gate then works per tab as before.
 */
export function broadcastPermissionSync(name = PERMISSION_SYNC_CHANNEL): PermissionSync | undefined {
  if (typeof BroadcastChannel === 'undefined') return undefined;
  const channel = new BroadcastChannel(name);
  return {
    post: () => channel.postMessage('changed'),
    onMessage: (fn) => {
      const listener = (): void => fn();
      channel.addEventListener('message', listener);
      return () => channel.removeEventListener('message', listener);
    },
    // Web Locks hold across the tabs of an origin; without them a write is guarded in this tab only.
    ...(typeof navigator !== 'undefined' && navigator.locks ? { lock: (name, fn) => navigator.locks.request(`p2p-softphone:${name}`, fn) } : {}),
  };
}
