/**
 * The one boundary between the overlay and the world (STYLE.md, practice 2),
 * shaped like automerge-repo's NetworkAdapterInterface. The PeerJS link
 * manager implements it in the browser; `sim/` implements it in memory.
 * Both must pass `runTransportContract` (overlay/testing/transport-contract.ts).
 */

/** Called with the sender's node ID, which the transport has authenticated. */
export type MessageListener = (from: string, bytes: Uint8Array) => void;
export type LinkListener = (peer: string) => void;

export interface Transport {
  /** This node's ID: 40 lower-case hex digits. */
  readonly localId: string;
  /**
   * Sends one message to a node, opening a link to it when there is none.
   * Fire and forget: delivery is not promised (the overlay times out and
   * retries); a message is never delivered twice or altered, and messages
   * between two nodes arrive in the order they were sent.
   */
  send(to: string, bytes: Uint8Array): void;
  /** Registers a listener for arriving messages; returns its remover. */
  onMessage(fn: MessageListener): () => void;
  /** A link to `peer` is up (either side opened it). */
  onLinkUp(fn: LinkListener): () => void;
  /** The link to `peer` is gone, or a send to it could not be delivered. */
  onLinkDown(fn: LinkListener): () => void;
  /**
   * Optional: the nodes the overlay routes through (successors, predecessor,
   * fingers), so the transport keeps their links and evicts others first.
   */
  keep?(nodeIds: Iterable<string>): void;
  /**
   * Optional: whether a live link to `peer` is up now. A send to a node with
   * none first opens a link (in browsers, a WebRTC connection set up through
   * the signaling server), which can take far longer than the message, or
   * fail where the network lets only one side call the other. Transports
   * without links (the simulator) leave it out: every send is direct.
   */
  isLinked?(peer: string): boolean;
  /** Closes every link; later sends are dropped. */
  close(): void;
}
