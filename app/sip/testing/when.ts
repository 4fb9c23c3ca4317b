/**
 * Waiting for a state instead of sleeping on real time (STYLE.md, practice 4):
 * the condition is checked now and again on every change the subscription
 * reports, so a test waits exactly as long as the thing takes, however
 * loaded the machine. There is no real-time bound: a state that never comes
 * fails the test at the runner's timeout.
 */

/** A change feed: registers `fn`, returns the function that removes it (UserAgent.subscribe, Listeners.add). */
export type Subscribe = (fn: () => void) => () => void;

/** Resolves once `cond` holds, checking it now and after each change `subscribe` reports. */
export function when(subscribe: Subscribe, cond: () => boolean | Promise<boolean>): Promise<void> {
  return new Promise((resolve, reject) => {
    let checking = false;
    let again = false;
    let done = false;
    const check = async (): Promise<void> => {
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      try {
        do {
          again = false;
          if (await cond()) {
            done = true;
            unsubscribe();
            resolve();
            return;
          }
        } while (again);
      } catch (e) {
        done = true;
        unsubscribe();
        reject(e);
      } finally {
        checking = false;
      }
    };
    const unsubscribe = subscribe(() => {
      if (!done) void check();
    });
    void check();
  });
}
