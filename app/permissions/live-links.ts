/**
 * Which live links were let in by what, so that taking back a permission
 * closes the links that depended on it. The gate does not own links: it
 * says "close these" and the transport closes them.
 */
import { Listeners, type Logger } from '../common';
import type { DecisionBasis, Scope, SubjectKind } from './types';

/** What the registry keeps of the decision that let a link in. */
export interface LinkGrant {
  readonly scope: Scope;
  readonly overlay: string;
  readonly peerNodeId: string;
  readonly subject: { readonly kind: SubjectKind; readonly keyId: string };
  readonly basis: DecisionBasis;
}

/** "Close these links", with the reason to log and show. */
export interface CloseLinksRequest {
  readonly linkIds: readonly string[];
  readonly reason: string;
}

export class LiveLinks {
  private readonly links = new Map<string, LinkGrant>();
  private readonly closing: Listeners<CloseLinksRequest>;

  constructor(log: Logger) {
    this.closing = new Listeners(log);
  }

  onClose(fn: (request: CloseLinksRequest) => void): () => void {
    return this.closing.add(fn);
  }

  /** Records a live link; the returned function forgets it (call it when the link closes). */
  add(linkId: string, grant: LinkGrant): () => void {
    this.links.set(linkId, grant);
    return () => {
      if (this.links.get(linkId) === grant) this.links.delete(linkId);
    };
  }

  remove(linkId: string): void {
    this.links.delete(linkId);
  }

  get size(): number {
    return this.links.size;
  }

  /** Forgets the links that match and asks listeners to close them; returns their IDs. */
  closeWhere(match: (grant: LinkGrant) => boolean, reason: string): string[] {
    const ids: string[] = [];
    for (const [id, grant] of this.links) if (match(grant)) ids.push(id);
    for (const id of ids) this.links.delete(id);
    if (ids.length > 0) this.closing.emit({ linkIds: ids, reason });
    return ids;
  }
}
