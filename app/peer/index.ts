/**
 * The peer layer: assembles a running peer (a tab or the service peer) from
 * identity, overlay, transport, permissions, sip and mail. No React, no DOM.
 */
export { RingMember, type RingMemberComponents, type RingMemberInit, type RingSnapshot } from './ring-member';
export { linkManagerRingLinks, liveRingComponents, type RingLinks } from './ring-links';
export { PeerDiscovery, discoveryUrl, type DiscoverySignaling, type PeerDiscoveryComponents, type PeerDiscoveryInit } from './peer-discovery';
