/** Defenses of lookups against lying and dropping nodes (issue 20): disjoint walks, claimed-successor checks. */
export { disjointLookup, type DisjointLookupOptions } from './disjoint-lookup';
export { checkSuccessorLists, SUCCESSOR_WITNESSES } from './successor-check';
export { meanGap, plausibleNeighbours, DENSITY_GAPS } from './density-check';
