import { IdentityPanel } from './identity-panel';
import { SignalingPanel } from './signaling-panel';
import { useAppSnapshot, useServices } from './use-app';

function Warnings() {
  const services = useServices();
  const { warnings } = useAppSnapshot();
  if (warnings.length === 0) return null;
  return (
    <div className="warnings" role="alert">
      {warnings.map((w) => (
        <p key={w} className="warning">
          <span>{w}</span>
          <button type="button" onClick={() => services.dismissWarning(w)} aria-label="Dismiss this notice">
            ✕
          </button>
        </p>
      ))}
    </div>
  );
}

export function App() {
  const snap = useAppSnapshot();
  return (
    <div className="app">
      <header className="top">
        <h1>P2P Softphone</h1>
        <p className="tagline">Calls, chat and video mail between browsers, with no phone server.</p>
      </header>
      <main>
        <Warnings />
        {snap.phase === 'starting' && (
          <p role="status" className="starting">
            Starting: loading this tab’s keys…
          </p>
        )}
        {snap.fatal && (
          <section className="card fatal" role="alert" aria-labelledby="fatal-heading">
            <h2 id="fatal-heading">This tab is offline</h2>
            <p>{snap.fatal}</p>
            <button type="button" onClick={() => location.reload()}>
              Reload this tab
            </button>
          </section>
        )}
        {snap.phase !== 'starting' && (
          <>
            <IdentityPanel />
            {snap.phase === 'ready' && <SignalingPanel />}
          </>
        )}
      </main>
    </div>
  );
}
