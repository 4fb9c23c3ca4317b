/** Messages between the page and the erasure-coding worker. */
export type CoderRequest =
  | { id: number; op: 'encode'; data: Uint8Array; k: number; m: number }
  | { id: number; op: 'decode'; fragments: (Uint8Array | null)[]; k: number; m: number; length: number };

export type CoderReply =
  | { id: number; ok: true; fragments?: Uint8Array[]; data?: Uint8Array }
  | { id: number; ok: false; code: string; message: string };
