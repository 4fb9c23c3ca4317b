import { useEffect, useState } from 'react';
import { AlertsOffer } from './alerts-offer';
import { AppShellNotices } from './app-shell';
import { FirstScreen } from './first-screen';
import { ReachBanner } from './reach-banner';
import { NetworkPage } from './network-page';
import { NodeIceNotice } from './node-ice-card';
import { PermissionDialog } from './permission-dialog';
import { PermissionsPage } from './permissions-page';
import { PhonePage, RingingCalls } from './phone/phone-page';
import { HeaderMailBadge, MailPage } from './mail-page';
import { SettingsPage } from './settings-page';
import { useAppSnapshot, useServices } from './use-app';

/** The pages (issue 18): Home is the phone (contacts, calls, conversations); identity, servers and devices are in Settings. */
const PAGES = [
  { hash: '#/', label: 'Home' },
  { hash: '#/mail', label: 'Video mail' },
  { hash: '#/network', label: 'Network' },
  { hash: '#/permissions', label: 'Permissions' },
  { hash: '#/settings', label: 'Settings' },
] as const;
type PageHash = (typeof PAGES)[number]['hash'];

function usePage(): PageHash {
  // #/phone was the phone's own page before Home became the phone: old links land on Home.
  const read = (): PageHash => (PAGES.find((p) => p.hash === location.hash)?.hash ?? '#/') as PageHash;
  const [page, setPage] = useState(read);
  useEffect(() => {
    const on = (): void => setPage(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return page;
}

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
  const services = useServices();
  const page = usePage();
  const ready = snap.phase === 'ready';
  return (
    // data-started and the IDs are what the end-to-end suites wait for and read (e2e/helpers/harness.ts), whatever page is shown.
    <div className="app" data-started={snap.phase !== 'starting' && snap.node && snap.user ? 'yes' : 'no'} data-node-id={snap.node?.nodeId} data-user-id={snap.user?.userId}>
      <header className="top">
        <h1>P2P Softphone</h1>
        <p className="tagline">Calls, chat and video mail between browsers, with no phone server.</p>
        <AppShellNotices />
        <ReachBanner />
        {ready && <AlertsOffer />}
        <nav aria-label="Main">
          {PAGES.map((p) => (
            <a key={p.hash} href={p.hash} aria-current={page === p.hash ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
          {ready && services.mail && <HeaderMailBadge mailbox={services.mail} />}
        </nav>
      </header>
      <main>
        <Warnings />
        <NodeIceNotice />
        {snap.phase === 'starting' && (
          <p role="status" className="starting">
            {snap.puzzle
              ? `Starting: making this tab’s node ID (a small puzzle every peer solves once, so nobody can make IDs for free)… ${Math.min(99, Math.round((100 * snap.puzzle.tries) / snap.puzzle.expected))} %`
              : 'Starting: loading this tab’s keys…'}
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
        {ready && page === '#/' && services.calls && services.mail && (
          <>
            <FirstScreen />
            <PhonePage service={services.calls} mailbox={services.mail} contacts={services.peer?.contacts} onJoinNetwork={() => services.joinNetwork()} />
          </>
        )}
        {snap.phase !== 'starting' && page === '#/settings' && <SettingsPage calls={services.calls} ready={ready} />}
        {ready && page === '#/mail' && services.mail && <MailPage mailbox={services.mail} />}
        {ready && page === '#/network' && services.links && <NetworkPage links={services.links} overlay={services.overlay} onJoin={() => services.joinNetwork()} />}
        {ready && page === '#/permissions' && services.gate && <PermissionsPage gate={services.gate} contacts={services.peer?.contacts} />}
      </main>
      {ready && services.calls && <RingingCalls service={services.calls} />}
      {ready && services.gate && <PermissionDialog gate={services.gate} />}
    </div>
  );
}
