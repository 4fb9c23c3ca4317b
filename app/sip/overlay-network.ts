/**
 * SipNetwork on the overlay: SIP text travels as routed application
 * messages (app/overlay/message-routing.ts), signed by the sending node,
 * encrypted for the target node and relayed across the ring, so the receiver
 * knows which node sent it whoever carried it, and the carriers learn
 * neither the names, the Call-ID nor the SDP.
 */
import { fromUtf8, utf8 } from '../identity';
import type { OverlayNode } from '../overlay';
import type { SendResult, SipNetwork } from './types';

const TOPIC = 'sip';
/** Liveness probes (branch-watch.ts): acknowledged by the target's overlay, then dropped. */
const PROBE_TOPIC = 'sip-probe';
/** Nodes that already drop probes here, so a node with several networks listens once. */
const probeListening = new WeakSet<OverlayNode>();

export class OverlaySipNetwork implements SipNetwork {
  /** Links crossed by the last message delivered, for statistics. */
  lastHops = 0;

  constructor(private readonly node: OverlayNode) {
    if (!probeListening.has(node)) {
      probeListening.add(node);
      node.routed.on(PROBE_TOPIC, () => undefined);
    }
  }

  get nodeId(): string {
    return this.node.id;
  }

  async send(nodeId: string, text: string): Promise<SendResult> {
    const r = await this.node.routed.send(nodeId, TOPIC, utf8(text));
    if (r.outcome === 'delivered') {
      this.lastHops = r.hops;
      return 'sent';
    }
    // Refused (the target could not open it, or sends in plaintext): as SIP sees it, nobody answers there.
    return r.outcome === 'refused' ? 'unreachable' : r.outcome;
  }

  async probe(nodeId: string): Promise<SendResult> {
    const r = await this.node.routed.send(nodeId, PROBE_TOPIC, new Uint8Array(0));
    return r.outcome === 'delivered' ? 'sent' : r.outcome === 'refused' ? 'unreachable' : r.outcome;
  }

  onReceive(fn: (from: string, text: string) => void): () => void {
    return this.node.routed.on(TOPIC, (from, body) => {
      let text: string;
      try {
        text = fromUtf8(body);
      } catch {
        return; // not UTF-8, so not SIP
      }
      fn(from, text);
    });
  }
}
