/**
 * What the page's tab strip shows about calls and messages (issue 18): the
 * title and the favicon. A softphone spends most of its life as a background
 * tab, and the tab strip is what a person sees of it then. The words and the
 * pictures are made by pure functions; PageSignals writes them to the
 * document and puts the page's own title and icon back when nothing is due.
 */

/** What is due, as the tab strip shows it. */
export interface PageAlertState {
  /** The name of the person calling now, or null. */
  readonly ringingFrom: string | null;
  /** Missed calls and new messages since the person last looked at the tab. */
  readonly unseen: number;
}

/**
 * The page title for `state`: "📞 alice is calling — P2P Softphone" while a
 * call rings, "(3) P2P Softphone" with things unseen (the count first, the
 * way mail and chat apps do, so it survives a narrow tab), else `base`.
 */
export function alertTitle(state: PageAlertState, base: string): string {
  if (state.ringingFrom !== null) return `📞 ${state.ringingFrom} is calling — ${base}`;
  if (state.unseen > 0) return `(${state.unseen > 99 ? '99+' : state.unseen}) ${base}`;
  return base;
}

/**
 * The favicon for `state` as an SVG data URL, or null for the page's own
 * icon: a green phone on red while a call rings, a red badge with the count
 * when things are unseen. Generated, so no image file is needed.
 */
export function alertFavicon(state: PageAlertState): string | null {
  let svg: string;
  if (state.ringingFrom !== null) {
    svg =
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#cf222e"/>` +
      `<path fill="#fff" d="M22 14c2 0 3 1 4 3l3 7c1 2 0 3-1 4l-3 3c2 5 6 9 11 11l3-3c1-1 2-2 4-1l7 3c2 1 3 2 3 4v5c0 3-2 5-5 5C31 55 9 33 9 19c0-3 2-5 5-5z"/></svg>`;
  } else if (state.unseen > 0) {
    const text = state.unseen > 9 ? '9+' : String(state.unseen);
    svg =
      `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#2563eb"/>` +
      `<circle cx="44" cy="20" r="20" fill="#cf222e"/><text x="44" y="28" font-family="Arial,sans-serif" font-size="24" font-weight="700" fill="#fff" text-anchor="middle">${text}</text></svg>`;
  } else {
    return null;
  }
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** The title and favicon of one document. */
export class PageSignals {
  private readonly baseTitle: string;
  private readonly baseIcon: string | null;
  private shown = '';

  constructor(private readonly doc: Document = document) {
    this.baseTitle = doc.title || 'P2P Softphone';
    this.baseIcon = this.iconLink()?.getAttribute('href') ?? null;
  }

  /** Shows `state` in the title and favicon; the page's own ones when nothing is due. */
  show(state: PageAlertState): void {
    const key = `${state.ringingFrom ?? ''}|${state.unseen}`;
    if (key === this.shown) return;
    this.shown = key;
    this.doc.title = alertTitle(state, this.baseTitle);
    const icon = alertFavicon(state) ?? this.baseIcon;
    let link = this.iconLink();
    if (!link && icon) {
      link = this.doc.createElement('link');
      link.rel = 'icon';
      this.doc.head.appendChild(link);
    }
    if (link && icon) {
      link.type = 'image/svg+xml';
      link.href = icon;
    }
  }

  /** Puts the page's own title and icon back. */
  reset(): void {
    this.show({ ringingFrom: null, unseen: 0 });
  }

  private iconLink(): HTMLLinkElement | null {
    return this.doc.querySelector<HTMLLinkElement>('link[rel="icon"]');
  }
}
