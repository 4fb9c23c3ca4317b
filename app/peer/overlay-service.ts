/**
 * This tab's overlay node, as the app runs it: the ring membership shared
 * with the service peer (app/peer/ring-member.ts: join, re-join, ring
 * merging, neighbour links, persisted records, the snapshot), plus what the
 * Network page's console does with it.
 */
import { fitsUtf8, fromHex, fromUtf8, utf8, utf8Length } from '../identity';
import { createRecord, type PutResult, type RecordSigner } from '../overlay';
import { RingMember } from './ring-member';

export type { RingSnapshot } from './ring-member';

/** Longest console note, in bytes of UTF-8 (the record value it becomes). */
export const MAX_NOTE_BYTES = 1000;

export class OverlayService extends RingMember {
  /**
   * Stores a short text note under `keyHex` as a single-value record owned by
   * this person (the console's put): signed with the user key, one hour long.
   */
  async putNote(keyHex: string, text: string, signer: RecordSigner): Promise<PutResult> {
    if (!fitsUtf8(text, MAX_NOTE_BYTES)) throw new RangeError(`the text is ${utf8Length(text)} bytes, and a note can take ${MAX_NOTE_BYTES} (a letter with an accent takes 2, an emoji 4)`);
    const record = await createRecord(signer, {
      key: fromHex(keyHex),
      kind: 'single',
      value: utf8(text),
      version: Date.now(),
      expires: Date.now() + 3_600_000,
    });
    return this.node.put(record);
  }

  /** Reads the note under `keyHex`, or null when there is none. */
  async getNote(keyHex: string): Promise<string | null> {
    const [r] = await this.node.get(fromHex(keyHex));
    if (!r) return null;
    try {
      return fromUtf8(r.value);
    } catch {
      return '(not text)';
    }
  }

  /** Whether this tab itself holds a copy of the record under `keyHex`. */
  holds(keyHex: string): boolean {
    return this.node.localRecord(keyHex) !== undefined;
  }
}
