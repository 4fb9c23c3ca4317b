import { useId, useState } from 'react';
import type { CallService } from '../../peer';
import { useStore } from '../use-app';

/** Where the person sets STUN/TURN servers for calls; none by default. */
export function IceServersCard({ service }: { service: CallService }) {
  const { iceText } = useStore(service);
  const id = useId();
  const [text, setText] = useState(iceText);
  const [errors, setErrors] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Media servers (STUN and TURN)</h2>
      <p className="hint">
        The node that served this app names its own servers (see the Network page); calls between people on the same network need none, and the app contacts no
        server that neither you nor that node named. Add your own here, for calls and links alike: a STUN server, and a TURN server for people behind strict
        firewalls. One per line; a TURN server takes a user name and a password after it.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const problems = service.setIceServers(text);
          setErrors(problems);
          setSaved(problems.length === 0);
        }}
      >
        <label htmlFor={id}>Your own servers</label>
        <textarea
          id={id}
          rows={3}
          value={text}
          placeholder={'stun:stun.example.org:3478\nturn:turn.example.org:3478 user password'}
          onChange={(e) => {
            setText(e.target.value);
            setSaved(false);
          }}
          spellCheck={false}
        />
        <button type="submit">Save media servers</button>
      </form>
      {errors.length > 0 && (
        <ul role="alert" className="error">
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      )}
      {saved && (
        <p role="status" className="ok">
          {iceText ? 'Saved: the next call uses these servers.' : 'Saved: calls use no media servers.'}
        </p>
      )}
    </section>
  );
}
