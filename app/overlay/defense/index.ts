/** Defenses of lookups against lying and dropping nodes (issue 20): disjoint walks, a check walk, the routing failure test. */
export { disjointLookup, type DisjointLookupOptions } from './disjoint-lookup';
export { meanGap, plausibleNeighbours, denseReplicaSet, DENSITY_GAPS, REPLICA_SET_GAPS } from './density-check';
