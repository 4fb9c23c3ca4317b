/**
 * Runs async operations one at a time, in call order, like mediasoup-client's
 * AwaitQueue: a read-modify-write cannot interleave with another. A failed
 * operation rejects its own promise and does not stop the ones after it.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `op` after every operation queued before it has settled; settles as `op` does. */
  run<T>(op: () => Promise<T>): Promise<T> {
    const result = this.tail.then(op, op);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
