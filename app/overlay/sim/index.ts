/** The simulator: in-memory Transport, virtual clock, deterministic rings of many nodes. */
export { Simulation, type SimulationOptions } from './simulation';
export { SimNetwork, type SimNetworkOptions } from './sim-network';
export { VirtualClock, SimTracker } from './virtual-clock';
export { EventQueue } from './event-queue';
export { cheapSigner, cheapVerifier } from './cheap-crypto';
export { skewedClock } from './skewed-clock';
/**
 * The test door: the overlay's own node class with its routing table, RPC and
 * replica store reachable, and the wire encoder, for tests that drive a node
 * by hand or play a misbehaving peer. Production code uses `OverlayNode`
 * (app/overlay/index.ts) and builds no wire message.
 */
export { ChordNode } from '../node';
export { encodeMessage, parseMessage, isParseFailure } from '../messages';
export {
  type SybilTarget,
  type SybilPlacement,
  type EclipseOutcome,
  sybilTarget,
  inSybilArc,
  placeSybils,
  simulatedKeys,
  runEclipse,
  expectedSybilTries,
  randomTargetKey,
} from './sybil';
export { Collusion, ADVERSARY_KINDS, tallyLookups, tallyReads, writeTwoVersions, honestOrigin, type AdversaryKind, type CollusionOptions, type LookupTally, type ReadTally } from './adversaries';
