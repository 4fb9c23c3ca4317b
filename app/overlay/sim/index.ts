/** The simulator: in-memory Transport, virtual clock, deterministic rings of many nodes. */
export { Simulation, type SimulationOptions } from './simulation';
export { SimNetwork, type SimNetworkOptions } from './sim-network';
export { VirtualClock, SimTracker } from './virtual-clock';
export { EventQueue } from './event-queue';
export { cheapSigner, cheapVerifier } from './cheap-crypto';
export { skewedClock } from './skewed-clock';
