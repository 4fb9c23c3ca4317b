import type { PermissionSync } from '../gate';

/**
 * Tabs joined by an in-memory channel, as a BroadcastChannel joins a
 * browser's tabs: a post reaches every other member, later (a task, not at
 * once), and never the poster.
 */
export class MemorySyncHub {
  private readonly members = new Set<Set<() => void>>();
  /** Posts made so far, for tests that check a change was announced. */
  posts = 0;

  join(): PermissionSync {
    const own = new Set<() => void>();
    this.members.add(own);
    return {
      post: () => {
        this.posts++;
        for (const m of this.members) {
          if (m === own) continue;
          for (const fn of [...m]) setTimeout(fn, 0);
        }
      },
      onMessage: (fn) => {
        own.add(fn);
        return () => own.delete(fn);
      },
    };
  }
}
