/**
 * The slice of the Web Locks API the identity pool needs, so the pool runs
 * against `navigator.locks` in the browser and an in-memory manager in Node.
 */
export interface LockOptions {
  ifAvailable?: boolean;
  steal?: boolean;
  signal?: AbortSignal;
}

export interface LockManagerLike {
  request<T>(name: string, options: LockOptions, callback: (lock: { name: string } | null) => Promise<T> | T): Promise<T>;
}

/** A lock this tab holds until `release()`; `lost` settles if another holder steals it. */
export interface HeldLock {
  readonly name: string;
  release(): void;
  /** Resolves (never rejects) when the lock is gone without our release. */
  readonly lost: Promise<void>;
}

function abortError(): Error {
  const e = new Error('lock request aborted');
  e.name = 'AbortError';
  return e;
}

/**
 * Takes `name` and keeps it until released. Resolves null when it is not
 * available (ifAvailable) or the wait was aborted.
 */
export function holdLock(locks: LockManagerLike, name: string, options: LockOptions): Promise<HeldLock | null> {
  return new Promise<HeldLock | null>((resolve, reject) => {
    let settled = false;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let markLost!: () => void;
    const lost = new Promise<void>((r) => (markLost = r));
    locks
      .request(name, options, async (lock) => {
        if (!lock) {
          settled = true;
          resolve(null);
          return;
        }
        settled = true;
        resolve({ name, release, lost });
        await released;
      })
      .then(
        () => undefined,
        (err: unknown) => {
          if (settled) {
            // The request rejects after the grant only when the lock was stolen.
            markLost();
          } else if (err instanceof Error && err.name === 'AbortError') {
            settled = true;
            resolve(null);
          } else {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        },
      );
  });
}

interface Waiter {
  grant: () => void;
  cancel: (e: Error) => void;
}

/** An in-memory LockManager with the Web Locks semantics the pool relies on (exclusive, ifAvailable, steal, signal). */
export class MemoryLockManager implements LockManagerLike {
  private readonly held = new Map<string, { steal: (e: Error) => void }>();
  private readonly queues = new Map<string, Waiter[]>();

  async request<T>(name: string, options: LockOptions, callback: (lock: { name: string } | null) => Promise<T> | T): Promise<T> {
    if (options.steal) {
      this.held.get(name)?.steal(abortError());
      this.held.delete(name);
    } else if (this.held.has(name)) {
      if (options.ifAvailable) return callback(null);
      await new Promise<void>((grant, cancel) => {
        const q = this.queues.get(name) ?? [];
        const waiter: Waiter = { grant, cancel };
        q.push(waiter);
        this.queues.set(name, q);
        options.signal?.addEventListener('abort', () => {
          const i = q.indexOf(waiter);
          if (i >= 0) q.splice(i, 1);
          cancel(abortError());
        });
      });
    }
    let steal!: (e: Error) => void;
    const stolen = new Promise<never>((_, r) => (steal = r));
    const entry = { steal };
    this.held.set(name, entry);
    try {
      return await Promise.race([Promise.resolve(callback({ name })), stolen]);
    } finally {
      if (this.held.get(name) === entry) {
        this.held.delete(name);
        this.queues.get(name)?.shift()?.grant();
      }
    }
  }
}
