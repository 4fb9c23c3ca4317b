/**
 * Which path the dialer tries first: the server (the default; the overlay
 * only when the server cannot be reached) or the overlay (the server as the
 * fallback), and the switch a benchmark flips between dials.
 */
import { describe, expect, it } from 'vitest';
import type { OverlayAttach } from './attach';
import type { Channel } from './channel';
import type { Dialer } from './dialer';
import { DialError } from './errors';
import { OverlayFirstDialer } from './overlay-first-dialer';

/** A channel stand-in that says which path made it. */
const made = (path: string): Channel => ({ path }) as unknown as Channel;

function paths(serverUp: boolean): { dialer: OverlayFirstDialer; tried: string[] } {
  const tried: string[] = [];
  const server: Dialer = {
    dial: async () => {
      tried.push('server');
      if (!serverUp) throw new DialError('no-signaling', 'this tab is not connected to a signaling server');
      return made('server');
    },
    onIncoming: () => undefined,
  };
  const attach = {
    canRoute: () => true,
    dial: async () => {
      tried.push('overlay');
      return made('overlay');
    },
  } as unknown as OverlayAttach;
  return { dialer: new OverlayFirstDialer({ server, attach }), tried };
}

describe('OverlayFirstDialer', () => {
  it('dials through the server first by default, and through the overlay once switched', async () => {
    const { dialer, tried } = paths(true);
    expect(dialer.prefer).toBe('server');
    expect(await dialer.dial('b', 1000)).toEqual(made('server'));
    dialer.prefer = 'overlay';
    expect(await dialer.dial('b', 1000)).toEqual(made('overlay'));
    expect(tried).toEqual(['server', 'overlay']);
    expect(dialer.fallbacks).toBe(0);
  });

  it('server first with the server down falls back to the overlay and counts it', async () => {
    const { dialer, tried } = paths(false);
    expect(await dialer.dial('b', 1000)).toEqual(made('overlay'));
    expect(tried).toEqual(['server', 'overlay']);
    expect(dialer.fallbacks).toBe(1);
  });
});
