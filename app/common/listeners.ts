import type { Logger } from './logger';

/**
 * A set of listeners called through a safe emit: a listener that throws is
 * logged and the others still run (as mediasoup-client's safeEmit does), so a
 * broken UI component cannot stop links from being closed.
 */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();

  /** @param log where a throwing listener is reported */
  constructor(private readonly log: Logger) {}

  /** Adds `fn`; returns the function that removes it again. */
  add(fn: (value: T) => void): () => void {
    this.set.add(fn);
    return () => {
      this.set.delete(fn);
    };
  }

  /** Calls every listener with `value`, in the order they were added; one that throws is logged and skipped. */
  emit(value: T): void {
    for (const fn of [...this.set]) {
      try {
        fn(value);
      } catch (e) {
        this.log.error('a listener threw', e);
      }
    }
  }
}
