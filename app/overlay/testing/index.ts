/** Test helpers of the overlay: the Transport acceptance suite every Transport runs. Tests only; the simulator is overlay/sim. */
export { runTransportContract, type TransportContractHarness, type TransportPair } from './transport-contract';
