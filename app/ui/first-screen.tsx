/**
 * The first screen (issue 18): for a person with no name yet, what the app
 * is and what to do first (choose a name, with the field right there), and
 * what comes next (the question about joining the network, and alerts), so
 * that the join question that follows is expected and understood.
 */
import type { CallService } from '../peer';
import { ClaimName } from './phone/calls-view';
import { useServices, useStore } from './use-app';

function Welcome({ calls }: { calls: CallService }) {
  const services = useServices();
  const snap = useStore(calls);
  if (snap.status !== 'no-name') return null;
  const claim = (name: string): Promise<string | null> => {
    // Claiming is the moment joining matters: someone who said no before is asked again now.
    if (snap.ringRefusal) services.joinNetwork();
    return calls.claim(name);
  };
  return (
    <section className="card first-screen" aria-labelledby="welcome-heading">
      <h2 id="welcome-heading">Welcome to P2P Softphone</h2>
      <p>
        A phone in your browser: call, video-call and write to people by their name, and leave them video messages. There is no phone company and no server in
        the middle; browsers like this one carry the calls for each other.
      </p>
      <ol className="first-steps">
        <li>
          <strong>Choose a name</strong> below. People call you by it.
        </li>
        <li>
          <strong>Join the network.</strong> This tab then asks whether it may join the network of browsers that carry calls. Say yes, or nobody can call you.
        </li>
        <li>
          <strong>Turn on alerts</strong> if you want to hear calls while this tab is in the background.
        </li>
      </ol>
      <ClaimName claim={claim} />
    </section>
  );
}

/** The first screen on Home, while the person has no name; nothing afterwards. */
export function FirstScreen() {
  const services = useServices();
  return services.calls ? <Welcome calls={services.calls} /> : null;
}
