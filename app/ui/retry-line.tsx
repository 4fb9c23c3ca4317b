/**
 * Something the tab keeps up (the registration, the mailbox check) that
 * failed for now, in words: what is wrong, when it is tried again (a
 * countdown), and a button to try now. The retries happen by themselves
 * (RetryLoop); the button only saves the wait.
 */
import { formatWait } from './words';
import { useNow } from './use-app';

export interface RetryLineProps {
  /** What is not working and why, as a sentence without the final stop: "You are not reachable as alice: the network did not answer in time". */
  text: string;
  /** When the next try goes (ms since the epoch); null while a try is running. */
  retryAt: number | null;
  onRetry: () => void;
  /** The button's accessible name. @default "Try again now" */
  retryLabel?: string;
}

export function RetryLine({ text, retryAt, onRetry, retryLabel = 'Try again now' }: RetryLineProps) {
  const now = useNow(retryAt !== null, 500);
  return (
    <div className="row" role="status" aria-live="polite">
      <span className="status-bad">
        {text}. {retryAt === null ? 'Trying again now…' : `Trying again in ${formatWait(retryAt - now)}.`}
      </span>
      <button type="button" onClick={onRetry} disabled={retryAt === null}>
        {retryLabel}
      </button>
    </div>
  );
}
