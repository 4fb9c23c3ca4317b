/**
 * The two policies besides trusted roots: strict mode, and "overlay links
 * for this overlay as a whole". By default the first overlay link of an
 * overlay asks about the overlay, and the answer holds for every later
 * overlay link in it; strict mode ignores these allowances and asks per peer.
 */
import type { KeyValueStore } from '../identity';
import { NotFoundError } from './errors';
import { Listeners, type Logger } from '../common';
import { STORAGE_KEYS } from './persisted';
import { PersistedState } from './persisted-state';
import type { OverlayAllowance, RuleDecision } from './types';

export interface PolicyState {
  /** Ask for every overlay link, ignoring overlay allowances. */
  readonly strict: boolean;
  /** Remembered allowances, and this session's ("allow once" to an overlay question). */
  readonly overlays: readonly OverlayAllowance[];
}

interface StoredPolicy {
  strict: boolean;
  overlays: OverlayAllowance[];
}

function parseStored(raw: unknown): PolicyState {
  const r = raw as Partial<StoredPolicy> | null;
  if (typeof r !== 'object' || r === null || typeof r.strict !== 'boolean' || !Array.isArray(r.overlays)) throw new TypeError('bad policy');
  for (const o of r.overlays as unknown[]) {
    const a = o as Partial<OverlayAllowance> | null;
    if (typeof a?.overlay !== 'string' || (a.decision !== 'allow' && a.decision !== 'deny') || typeof a.since !== 'number') {
      throw new TypeError('bad overlay allowance');
    }
  }
  return { strict: r.strict, overlays: Object.freeze(r.overlays.map((o) => ({ ...o, remembered: true }))) };
}

export class PolicyStore extends PersistedState<PolicyState> {
  private readonly withdrawn: Listeners<OverlayAllowance>;

  private constructor(
    store: KeyValueStore,
    private readonly now: () => number,
    log: Logger,
  ) {
    super(store, STORAGE_KEYS.policy, { strict: false, overlays: Object.freeze([]) }, log);
    this.withdrawn = new Listeners(log);
  }

  static async open(store: KeyValueStore, now: () => number, log: Logger): Promise<PolicyStore> {
    const s = new PolicyStore(store, now, log);
    await s.load(parseStored, 'Your permission settings could not be read; strict mode is off and no overlay is allowed as a whole.');
    return s;
  }

  /**
   * Re-reads the policy another tab stored. This tab's own "allow once"
   * allowances (never stored) stay unless the stored policy now decides that
   * overlay; an allowance that no longer allows is withdrawn as if forgotten
   * here. Damaged storage keeps the current policy.
   */
  reload(): Promise<void> {
    return this.queue.run(async () => {
      const stored = await this.reread(parseStored);
      if (!stored) return;
      const state = this.getSnapshot();
      const sessionOnly = state.overlays.filter((o) => !o.remembered && !stored.overlays.some((s) => s.overlay === o.overlay));
      const next: PolicyState = { strict: stored.strict, overlays: Object.freeze([...stored.overlays, ...sessionOnly]) };
      if (JSON.stringify(next) === JSON.stringify(state)) return;
      this.adopt(next);
      for (const old of state.overlays) {
        if (old.decision === 'allow' && next.overlays.find((o) => o.overlay === old.overlay)?.decision !== 'allow') this.withdrawn.emit(old);
      }
    });
  }

  /** Called when an overlay allowance that let links in is forgotten or turned into a refusal. */
  onWithdrawn(fn: (a: OverlayAllowance) => void): () => void {
    return this.withdrawn.add(fn);
  }

  get strict(): boolean {
    return this.getSnapshot().strict;
  }

  overlayAllowance(overlay: string): OverlayAllowance | undefined {
    return this.getSnapshot().overlays.find((o) => o.overlay === overlay);
  }

  /** Turns strict mode on or off. Links already open stay open. */
  setStrict(strict: boolean): Promise<void> {
    return this.queue.run(() => this.save({ ...this.getSnapshot(), strict }));
  }

  /** Allows or refuses overlay links for `overlay` as a whole; `remembered: false` lasts until reload. */
  setOverlay(overlay: string, decision: RuleDecision, remembered: boolean): Promise<OverlayAllowance> {
    return this.queue.run(async () => {
      const allowance: OverlayAllowance = { overlay, decision, since: this.now(), remembered };
      await this.replaceOverlay(overlay, allowance);
      return allowance;
    });
  }

  /** Forgets the allowance for `overlay`; its next overlay link asks again. */
  forgetOverlay(overlay: string): Promise<OverlayAllowance> {
    return this.queue.run(async () => {
      const old = this.overlayAllowance(overlay);
      if (!old) throw new NotFoundError(`nothing is remembered for overlay ${overlay}`);
      await this.replaceOverlay(overlay, undefined);
      return old;
    });
  }

  private async replaceOverlay(overlay: string, next: OverlayAllowance | undefined): Promise<void> {
    const state = this.getSnapshot();
    const old = state.overlays.find((o) => o.overlay === overlay);
    const overlays = state.overlays.filter((o) => o.overlay !== overlay);
    if (next) overlays.push(next);
    await this.save({ strict: state.strict, overlays: Object.freeze(overlays) });
    if (old?.decision === 'allow' && next?.decision !== 'allow') this.withdrawn.emit(old);
  }

  private save(next: PolicyState): Promise<void> {
    const stored: StoredPolicy = { strict: next.strict, overlays: next.overlays.filter((o) => o.remembered) };
    return this.commit(next, stored);
  }
}
