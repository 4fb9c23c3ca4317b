/**
 * Times that one machine writes and another reads: record and contact
 * expiries, name claims, mail manifests and receipts, routed messages,
 * certificates. Each is set by the writer's clock and compared with the
 * reader's, and the clocks of two browsers are only roughly set (a laptop
 * that slept, a phone without network time). Every such comparison goes
 * through these functions, so all of them tolerate the same stated skew:
 * a time is treated as passed only when it has passed on every clock within
 * MAX_CLOCK_SKEW_MS of the reader's, and as too far ahead only when it is
 * ahead of all of them. Kerberos (RFC 4120) treats loosely synchronized
 * clocks the same way, with a configured skew (commonly 5 minutes).
 *
 * The price: a record lives up to MAX_CLOCK_SKEW_MS longer on a reader whose
 * clock is ahead. A registrar's contact that outlives a closed tab costs a
 * caller one unanswered attempt (480, "not online"), which the proxy already
 * handles; a contact that vanishes while its tab is open makes a person
 * unreachable, which nothing repairs.
 */

/** How far apart two machines' clocks may be and still agree on every time they exchange. @default 10 min */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;

/**
 * Whether `expires` (ms since the epoch, written by another machine's clock)
 * has passed on every clock within MAX_CLOCK_SKEW_MS of `now` (this
 * machine's ms since the epoch): only then may the thing be dropped or refused.
 */
export function hasSurelyExpired(expires: number, now: number): boolean {
  return expires + MAX_CLOCK_SKEW_MS <= now;
}

/**
 * Local time (ms since the epoch) until which something that another
 * machine said `expires` at must still be honoured here; the bound for local
 * caches of it.
 */
export function honouredUntil(expires: number): number {
  return expires + MAX_CLOCK_SKEW_MS;
}

/**
 * Whether `at` (ms since the epoch, another machine's clock) lies more than
 * `aheadMs` in this machine's future even for the fastest clock within
 * MAX_CLOCK_SKEW_MS: a start time not reached yet, a far expiry beyond a cap.
 */
export function isSurelyAhead(at: number, now: number, aheadMs = 0): boolean {
  return at > now + aheadMs + MAX_CLOCK_SKEW_MS;
}

/** Whether a time stamped by another machine (`at`) is within the tolerated skew of `now`, either way. */
export function withinClockSkew(at: number, now: number): boolean {
  return Math.abs(now - at) <= MAX_CLOCK_SKEW_MS;
}
