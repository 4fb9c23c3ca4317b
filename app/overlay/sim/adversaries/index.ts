/** Colluding adversaries for the simulator (routing and storage attacks), and how a run picks them. */
export { Collusion, ADVERSARY_KINDS, type AdversaryKind, type CollusionOptions } from './collusion';
export { tallyLookups, tallyReads, writeTwoVersions, honestOrigin, type LookupTally, type ReadTally } from './measure';
