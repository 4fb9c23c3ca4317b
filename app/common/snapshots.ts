/**
 * A service's state as React reads it with useSyncExternalStore: one
 * snapshot object, replaced (never changed in place) on every update, so a
 * component re-renders exactly when something it shows changed.
 */
export class Snapshots<S extends object> {
  private readonly listeners = new Set<() => void>();

  constructor(private current: S) {}

  get value(): S {
    return this.current;
  }

  readonly subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  readonly getSnapshot = (): S => this.current;

  update(patch: Partial<S>): void {
    this.current = { ...this.current, ...patch };
    for (const fn of [...this.listeners]) fn();
  }
}
