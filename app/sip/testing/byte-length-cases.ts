/**
 * Content-Length counts bytes of UTF-8, not characters (RFC 3261 §20.14), so
 * a body is cut in bytes: what follows the counted bytes in the same routed
 * message is discarded (§18.3, message transports), and a count that ends
 * inside a character, or past the end, earns 400. Each case is tried with a
 * 2-byte (ñ), a 3-byte (€) and a 4-byte (😀, two UTF-16 units) character.
 */
import { MAX_CHAT_BYTES } from '../chat-history';
import { request, type TortureCase } from './torture-messages';

/** Characters by UTF-8 length. */
export const WIDE_CHARACTERS = [
  { char: 'ñ', bytes: 2 },
  { char: '€', bytes: 3 },
  { char: '😀', bytes: 4 },
] as const;

const chat = (id: string, body: string, contentLength: number) => request(id, { method: 'MESSAGE', body, contentType: 'text/plain;charset=UTF-8', contentLength: String(contentLength) });

/** What bob's UA must see (or refuse) for each width of character. */
export const BYTE_LENGTH: TortureCase[] = WIDE_CHARACTERS.flatMap(({ char, bytes }): TortureCase[] => [
  {
    name: `three ${char} (${3 * bytes} bytes) and more text after Content-Length: ${3 * bytes}: the body is the three ${char}`,
    section: '3.1.1',
    build: (id) => chat(id, `${char.repeat(3)}abc|def`, 3 * bytes),
    ua: 'message',
    status: 200,
    body: char.repeat(3),
  },
  {
    name: `Content-Length ending one byte into the last ${char}: 400`,
    section: '3.1.2',
    build: (id) => chat(id, `${char.repeat(3)}abc`, 2 * bytes + 1),
    ua: null,
    status: 400,
  },
  {
    name: `Content-Length ending one byte before the end of the last ${char}: 400`,
    section: '3.1.2',
    build: (id) => chat(id, `${char.repeat(3)}abc`, 3 * bytes - 1),
    ua: null,
    status: 400,
  },
  {
    name: `${char}abc with Content-Length: ${bytes + 1}: the body is ${char}a`,
    section: '3.1.1',
    build: (id) => chat(id, `${char}abc`, bytes + 1),
    ua: 'message',
    status: 200,
    body: `${char}a`,
  },
  {
    name: `Content-Length one byte more than ${char.repeat(3)} holds: 400`,
    section: '3.1.2',
    build: (id) => chat(id, char.repeat(3), 3 * bytes + 1),
    ua: null,
    status: 400,
  },
  {
    name: `a chat message of ${Math.floor(MAX_CHAT_BYTES / bytes)} ${char}, just ${MAX_CHAT_BYTES} bytes: delivered whole`,
    section: '3.3',
    build: (id) => chat(id, char.repeat(Math.floor(MAX_CHAT_BYTES / bytes)), Math.floor(MAX_CHAT_BYTES / bytes) * bytes),
    ua: 'message',
    status: 200,
    body: char.repeat(Math.floor(MAX_CHAT_BYTES / bytes)),
  },
  {
    name: `a chat message of ${Math.floor(MAX_CHAT_BYTES / bytes) + 1} ${char}, over ${MAX_CHAT_BYTES} bytes: 413, not cut`,
    section: '3.3',
    build: (id) => chat(id, char.repeat(Math.floor(MAX_CHAT_BYTES / bytes) + 1), (Math.floor(MAX_CHAT_BYTES / bytes) + 1) * bytes),
    ua: null,
    status: 413,
  },
]);
