/**
 * A call view keeps one MediaStream per side while the call's tracks stay the
 * same: a new stream at every render restarted the far side's video and
 * sound once a second (e2e/suites/call-media.e2e.ts counts the restarts).
 */
import { describe, expect, it } from 'vitest';
import { trackKey } from './track-stream';

const track = (id: string) => ({ id });

describe('the key of the tracks a call view plays', () => {
  it('is the same for the same tracks, in any order', () => {
    const [a, v] = [track('a1'), track('v1')];
    expect(trackKey([a, v])).toBe(trackKey([v, a]));
    expect(trackKey([a, v])).toBe(trackKey([track('a1'), track('v1')]));
  });

  it('changes when a track changes, is added or goes (a device switch, a track ended)', () => {
    const [a, v, v2] = [track('a1'), track('v1'), track('v2')];
    const keys = [trackKey([a, v]), trackKey([a, v2]), trackKey([a]), trackKey([]), trackKey([a, v, v2])];
    expect(new Set(keys).size).toBe(keys.length);
  });
});
