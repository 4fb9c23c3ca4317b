/**
 * The words of the tab's own "join the network?" question (issue 18): what
 * joining is, what it costs, and what saying no means, in plain words. It
 * has no countdown: the question waits for the person (PermissionGate), and
 * the banner at the top of every page (reach-banner.tsx) brings it back.
 */
import type { PermissionQuestion } from '../permissions';

/** The heading; it keeps the overlay's name, which the person may need to tell networks apart. */
export function joinHeading(q: PermissionQuestion): string {
  return `Join the network “${q.overlay}” to make and receive calls?`;
}

/** The body of the join question. */
export function JoinQuestionBody({ q }: { q: PermissionQuestion }) {
  return (
    <>
      <p>
        This phone has no phone company behind it: browsers like this one carry calls and messages for each other. To call people, and to be called, this tab
        joins the network “{q.overlay}” of those browsers.
      </p>
      <ul className="join-facts">
        <li>Your tab then passes on other members’ messages (signed or encrypted, never readable here) and keeps copies of their records.</li>
        <li>The members it links with learn your IP address.</li>
        <li>
          <strong>If you say no, nobody can call you or leave you a message, and you cannot call anyone.</strong> You can join later with the “Join now” button
          at the top of every page.
        </li>
      </ul>
      <p className="hint">
        “Always allow” joins now and on later visits; “Allow once” joins until this tab closes; “Always deny” keeps the tab out until you change it on the
        Permissions page.{q.waiting > 1 ? ` ${q.waiting} connections are waiting on this answer.` : ''}
      </p>
    </>
  );
}
