/** Where mail lives in the DHT: `H("mailbox:" + name)` (DESIGN.md) and the sender's receipts dictionary. */
import { sha256, utf8 } from '../identity';
import { ID_BYTES } from '../overlay';

async function h(text: string): Promise<Uint8Array> {
  return (await sha256(utf8(text))).slice(0, ID_BYTES);
}

export const mailboxKey = (name: string): Promise<Uint8Array> => h('mailbox:' + name);
export const receiptsKey = (name: string): Promise<Uint8Array> => h('mail-receipts:' + name);
/** Text messages stored for a person who was offline (stored-text.ts): a dictionary of its own, so the video mailbox's readers never meet a text entry. */
export const textboxKey = (name: string): Promise<Uint8Array> => h('textbox:' + name);
