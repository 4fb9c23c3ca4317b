import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { goTo, waitOnline } from '../helpers/harness.ts';
import { openPeer, useBrowser } from '../helpers/browser.ts';

// One person with three tabs (strict mode off, the default): each tab asks
// once about the network; one answer in one tab settles the other two.
const web = useBrowser();
let tabs: Page[];

beforeAll(async () => {
  // Someone already on the network, so alice's tabs have a link to want.
  const bob = await openPeer(await web.newPerson());
  await waitOnline(bob);
  const alice = await web.newPerson();
  tabs = await Promise.all([0, 1, 2].map(() => openPeer(alice)));
});

const joinQuestion = (page: Page) => page.getByRole('alertdialog').filter({ has: page.getByRole('heading', { name: 'Join the network “p2p.local” to make and receive calls?' }) });

type Audit = { reason: string; detail: string; scope: string; allow: boolean; tab?: string }[];
/** The overlay decisions this tab made (the log itself is shared by the person's tabs). */
function overlayDecisions(page: Page): Promise<Audit> {
  return page.evaluate(() => {
    const h = window.softphoneTest!;
    return h.auditLog().filter((e) => e.scope === 'overlay' && e.tab === h.auditTab());
  });
}

describe('one person, several tabs', () => {
  it('"Always allow" for the network in one tab closes the same question in the others', async () => {
    await Promise.all(tabs.map((t) => joinQuestion(t).waitFor({ timeout: 30_000 })));
    const [first, ...others] = tabs as [Page, ...Page[]];
    await joinQuestion(first).getByRole('button', { name: 'Always allow', exact: true }).click();

    // No answer in the other tabs: their questions go within a few seconds (they would time out only after 30 s).
    await Promise.all(others.map((t) => joinQuestion(t).waitFor({ state: 'detached', timeout: 5000 })));
    for (const t of others) {
      const decisions = await overlayDecisions(t);
      expect(decisions.some((d) => d.allow && d.reason === 'policy' && /allowed for p2p\.local as a whole/.test(d.detail))).toBe(true);
      expect(decisions.filter((d) => d.reason === 'user' || d.reason === 'timeout')).toEqual([]);
    }
    // The decisions log is the person's, not the tab's: the first tab's answer shows in the others.
    const second = others[0]!;
    await goTo(second, 'Permissions');
    await second.getByTestId('audit-log').getByText('(in another tab)').first().waitFor({ timeout: 10_000 });
    await second.screenshot({ path: 'e2e/artifacts/permissions-shared-log.png', fullPage: true });
  });
});
