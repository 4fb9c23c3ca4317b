/**
 * The reconnect back-off lives with the retry loop in app/overlay (every
 * layer that keeps something up uses the one mechanism); transport keeps its
 * old import path.
 */
export { Backoff, type BackoffOptions } from '../overlay';
