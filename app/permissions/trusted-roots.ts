/**
 * Root keys the user trusts to vouch for peers (enrolled deployments), each
 * with a per-scope policy "allow peers whose identity this root signed".
 */
import { fingerprint, fromBase64, nodeIdFromSpki, toBase64Url, utf8Prefix, type KeyValueStore } from '../identity';
import { NotFoundError, PermissionsError } from './errors';
import { parsePublicKeyText } from './key-text';
import { Listeners, type Logger } from '../common';
import { STORAGE_KEYS } from './persisted';
import { PersistedState } from './persisted-state';
import { SCOPES, type Scope, type TrustedRoot } from './types';

/** At most this many roots; a closed deployment needs one or two. */
export const MAX_TRUSTED_ROOTS = 100;
/** Longest label of a trusted root, in bytes of UTF-8; a longer one is shortened on a whole character. */
export const MAX_ROOT_LABEL = 100;

/** A root stopped vouching for peers in some scopes (removed, or its policy switched off). */
export interface RootWithdrawn {
  readonly root: TrustedRoot;
  readonly scopes: readonly Scope[];
}

export interface AddRootOptions {
  /** @default the key's fingerprint */
  label?: string;
  /** Per scope, let in peers this root signed without asking. @default both scopes */
  allow?: Partial<Record<Scope, boolean>>;
}

function isRoot(v: unknown): v is TrustedRoot {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  const allow = r['allow'] as Record<string, unknown> | null | undefined;
  return (
    typeof r['id'] === 'string' &&
    typeof r['spki'] === 'string' &&
    typeof r['fingerprint'] === 'string' &&
    typeof r['label'] === 'string' &&
    typeof r['added'] === 'number' &&
    typeof allow === 'object' &&
    allow !== null &&
    SCOPES.every((s) => typeof allow[s] === 'boolean')
  );
}

export class TrustedRootStore extends PersistedState<readonly TrustedRoot[]> {
  private readonly withdrawn: Listeners<RootWithdrawn>;
  private spkiCache = new Map<string, Uint8Array>();

  private constructor(
    store: KeyValueStore,
    private readonly now: () => number,
    log: Logger,
  ) {
    super(store, STORAGE_KEYS.roots, Object.freeze([]), log);
    this.withdrawn = new Listeners(log);
  }

  static async open(store: KeyValueStore, now: () => number, log: Logger): Promise<TrustedRootStore> {
    const s = new TrustedRootStore(store, now, log);
    await s.load((raw) => s.parse(raw), 'Your trusted root keys could not be read, so no root vouches for anyone. Add them again.');
    return s;
  }

  /**
   * Re-reads the roots another tab stored; a root that stopped vouching there
   * is withdrawn here as if changed here. Damaged storage keeps the current roots.
   */
  reload(): Promise<void> {
    return this.queue.run(async () => {
      const list = await this.reread((raw) => this.parse(raw));
      const before = this.getSnapshot();
      if (!list || JSON.stringify(list) === JSON.stringify(before)) return;
      this.adopt(list);
      for (const old of before) {
        const now = list.find((r) => r.id === old.id);
        if (!now) this.spkiCache.delete(old.id);
        const scopes = SCOPES.filter((sc) => old.allow[sc] && !now?.allow[sc]);
        if (scopes.length > 0) this.withdrawn.emit({ root: old, scopes });
      }
    });
  }

  /** Called when a root stops letting peers in for some scopes, so links it let in can be closed. */
  onWithdrawn(fn: (w: RootWithdrawn) => void): () => void {
    return this.withdrawn.add(fn);
  }

  find(id: string): TrustedRoot | undefined {
    return this.getSnapshot().find((r) => r.id === id);
  }

  /** SPKI bytes of a root (decoded once). */
  spkiOf(root: TrustedRoot): Uint8Array {
    let b = this.spkiCache.get(root.id);
    if (!b) {
      b = fromBase64(root.spki);
      this.spkiCache.set(root.id, b);
    }
    return b;
  }

  /**
   * Adds a root from pasted text or a file's content (PEM, base64, hex, JWK
   * or the `.public.json` that sign-identity writes). Throws KeyParseError
   * saying what was wrong. Adding a root already there updates its label and
   * policy.
   */
  add(keyText: string, o: AddRootOptions = {}): Promise<TrustedRoot> {
    return this.queue.run(async () => {
      const spki = await parsePublicKeyText(keyText);
      const id = await nodeIdFromSpki(spki);
      const existing = this.find(id);
      const label = utf8Prefix((o.label ?? existing?.label ?? fingerprint(id)).trim(), MAX_ROOT_LABEL) || fingerprint(id);
      const root: TrustedRoot = {
        id,
        spki: toBase64Url(spki),
        fingerprint: fingerprint(id),
        label,
        added: existing?.added ?? this.now(),
        allow: { overlay: o.allow?.overlay ?? existing?.allow.overlay ?? true, contact: o.allow?.contact ?? existing?.allow.contact ?? true },
      };
      const others = this.getSnapshot().filter((r) => r.id !== id);
      if (!existing && others.length >= MAX_TRUSTED_ROOTS) throw new PermissionsError(`at most ${MAX_TRUSTED_ROOTS} roots can be trusted`);
      await this.commitList([...others, root], existing, root);
      return root;
    });
  }

  /** Switches the policy "allow peers this root signed" for one scope. */
  setAllow(id: string, scope: Scope, allow: boolean): Promise<TrustedRoot> {
    return this.queue.run(async () => {
      const old = this.find(id);
      if (!old) throw new NotFoundError('that root is no longer trusted');
      const root: TrustedRoot = { ...old, allow: { ...old.allow, [scope]: allow } };
      await this.commitList(
        this.getSnapshot().map((r) => (r.id === id ? root : r)),
        old,
        root,
      );
      return root;
    });
  }

  /** Stops trusting a root; links it let in are closed. */
  remove(id: string): Promise<TrustedRoot> {
    return this.queue.run(async () => {
      const old = this.find(id);
      if (!old) throw new NotFoundError('that root is no longer trusted');
      await this.commitList(
        this.getSnapshot().filter((r) => r.id !== id),
        old,
        undefined,
      );
      return old;
    });
  }

  private parse(raw: unknown): readonly TrustedRoot[] {
    if (!Array.isArray(raw) || !raw.every(isRoot)) throw new TypeError('not a list of roots');
    for (const r of raw) this.spkiOf(r); // throws on a key that does not decode
    return Object.freeze(raw);
  }

  private async commitList(list: TrustedRoot[], before: TrustedRoot | undefined, after: TrustedRoot | undefined): Promise<void> {
    const frozen = Object.freeze(list);
    await this.commit(frozen, frozen);
    if (!after) this.spkiCache.delete(before?.id ?? '');
    if (!before) return;
    const scopes = SCOPES.filter((s) => before.allow[s] && !after?.allow[s]);
    if (scopes.length > 0) this.withdrawn.emit({ root: before, scopes });
  }
}
