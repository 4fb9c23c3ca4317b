/**
 * Driving a tab with the keyboard only (page.keyboard): where focus is, Tab
 * until a control has it, and whether focus stays inside an open modal
 * dialog. Reading document.activeElement is looking, not clicking.
 */
import type { Page } from 'playwright-core';

/** What has focus: its tag and a plain accessible name (aria-label, its label, or its text). */
export interface Focused {
  tag: string;
  name: string;
  /** Whether it is inside the open modal dialog (false when none is open). */
  inDialog: boolean;
  dialogOpen: boolean;
}

export function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const dialog = [...document.querySelectorAll('dialog')].find((d) => d.open) ?? null;
    const label = el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement ? (el.labels?.[0]?.textContent ?? '') : '';
    const name = (el?.getAttribute('aria-label') ?? label) || (el?.textContent ?? '');
    return { tag: el?.tagName.toLowerCase() ?? 'none', name: name.replace(/\s+/g, ' ').trim(), inDialog: !!dialog && !!el && dialog.contains(el), dialogOpen: !!dialog };
  });
}

/** Presses Tab until the focused element's name is `name` (a string matches exactly); throws after `max` presses. Returns the presses. */
export async function tabTo(page: Page, name: string | RegExp, max = 60): Promise<number> {
  const seen: string[] = [];
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    seen.push(`${f.tag}:${f.name}`);
    if (typeof name === 'string' ? f.name === name : name.test(f.name)) return i;
  }
  throw new Error(`Tab never reached “${String(name)}” in ${max} presses; focus went: ${seen.slice(-20).join(' → ')}`);
}

/** Presses Tab `n` times and then Shift+Tab `n` times; returns every focus seen that was outside the open dialog. */
export async function escapesFromDialog(page: Page, n = 15): Promise<string[]> {
  const out: string[] = [];
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < n; i++) {
      await page.keyboard.press(key);
      const f = await focused(page);
      if (!f.inDialog) out.push(`${key} ${i + 1}: ${f.tag} “${f.name}”${f.dialogOpen ? '' : ' (no dialog open)'}`);
    }
  }
  return out;
}

/** Waits until focus is on an element named `name`. */
export async function waitFocus(page: Page, name: string | RegExp, timeout = 20_000): Promise<Focused> {
  const until = Date.now() + timeout;
  let f = await focused(page);
  while (!(typeof name === 'string' ? f.name === name : name.test(f.name))) {
    if (Date.now() > until) throw new Error(`focus never came to “${String(name)}”: it is on ${f.tag} “${f.name}”`);
    await new Promise((r) => setTimeout(r, 100));
    f = await focused(page);
  }
  return f;
}
