import type { InsecureOrigin } from '../peer';

/**
 * The whole page when it was opened at a plain-HTTP address of another
 * machine: why the app cannot run here and the https:// address to open.
 * The app itself is not started, so no other warning stands beside this.
 */
export function InsecureOriginPage({ origin }: { origin: InsecureOrigin }) {
  return (
    <div className="app">
      <header className="top">
        <h1>P2P Softphone</h1>
      </header>
      <main>
        <section className="card fatal" role="alert" aria-labelledby="insecure-heading">
          <h2 id="insecure-heading">Open this app over HTTPS</h2>
          <p>
            This page was opened at <code>{origin.openedAt}</code>, a plain HTTP address. Browsers let a page keep its keys, tell its tabs apart and use the
            camera and microphone only when it is secure: opened over HTTPS, or on this computer’s own <code>localhost</code>. So the softphone cannot run here.
          </p>
          <p className="secure-address">
            Open it at{' '}
            <a href={origin.httpsUrl} data-testid="https-address">
              {origin.httpsUrl}
            </a>
          </p>
          <p className="hint">
            The first time, the browser may warn that it does not know the site’s certificate: the computer that serves the app made its own. Compare the
            fingerprint it printed when it started, then accept it. If that address does not open at all, that computer is not serving HTTPS yet: whoever runs it
            starts it with <code>HTTPS=1 npm start</code>, or runs a public node with <code>npm run serve</code>.
          </p>
        </section>
      </main>
    </div>
  );
}
