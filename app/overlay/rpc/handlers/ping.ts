import type { Message } from '../../messages';
import type { HandlerHost } from './host';

/** Liveness check (check-predecessor): answer at once. */
export function handlePing(host: HandlerHost, from: string, msg: Extract<Message, { t: 'ping' }>): void {
  host.rpc.send(from, { t: 'pong', id: msg.id });
}
