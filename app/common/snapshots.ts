import { createLogger } from './logger';
import { Listeners } from './listeners';

const log = createLogger('snapshots');

/**
 * A service's state as React reads it with useSyncExternalStore: one
 * snapshot object, replaced (never changed in place) on every update, so a
 * component re-renders exactly when something it shows changed.
 */
export class Snapshots<S extends object> {
  private readonly listeners = new Listeners<void>(log);

  constructor(private current: S) {}

  get value(): S {
    return this.current;
  }

  readonly subscribe = (fn: () => void): (() => void) => {
    return this.listeners.add(fn);
  };

  readonly getSnapshot = (): S => this.current;

  update(patch: Partial<S>): void {
    this.current = { ...this.current, ...patch };
    this.listeners.emit();
  }
}
