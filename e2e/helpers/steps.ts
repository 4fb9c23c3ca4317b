/** Waiting and reporting in long suites: a loaded machine's timeout then says which step was slow. */

/** A logger of where a suite got to, with seconds since it was made, tagged `[name +N s]`. */
export function stepLog(name: string): (what: string) => void {
  const t0 = Date.now();
  return (what) => console.log(`[${name} +${Math.round((Date.now() - t0) / 1000)} s] ${what}`);
}

/** Polls `cond` every 300 ms until it holds; rejects with "`what`: not within `ms` ms" when it does not in time. */
export async function until(what: string, cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
