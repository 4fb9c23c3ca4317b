import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/app';
import { AppServices, IdbKeyValueStore, insecureOrigin } from './peer';
import { InsecureOriginPage } from './ui/insecure-origin-page';
import { createTestHandle } from './dev';
import { ServicesContext } from './ui/use-app';
import { registerAppShell } from './ui/app-shell';
import './ui/styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
// Opened over plain HTTP from another machine, the page has no WebCrypto, Web Locks or camera: say so and start nothing.
const { protocol, host, pathname, search, hash } = location;
const insecure = insecureOrigin({ protocol, host, pathname, search, hash, isSecureContext: window.isSecureContext });
if (insecure) {
  createRoot(root).render(
    <StrictMode>
      <InsecureOriginPage origin={insecure} />
    </StrictMode>,
  );
} else {
  const services = new AppServices({ openStore: (name) => new IdbKeyValueStore(name) });
  // A typed handle for end-to-end tests and for people debugging from the console;
  // development and test builds only (the e2e suites run against `npm start`, Vite's dev server).
  if (import.meta.env.DEV) window.softphoneTest = createTestHandle(services);
  void services.start();
  // The installable app's service worker keeps the built shell; never under the dev server, whose modules it would serve stale.
  if (import.meta.env.PROD) registerAppShell();
  createRoot(root).render(
    <StrictMode>
      <ServicesContext.Provider value={services}>
        <App />
      </ServicesContext.Provider>
    </StrictMode>,
  );
}
