/**
 * The peer layer: the React-free assembly of one running peer (identity,
 * overlay, transport, permissions, sip, mail) for a browser tab and for the
 * service peer. app/ui renders it; app/main.tsx and app/service-peer start it.
 */
export { RingMember, type RingMemberComponents, type RingMemberInit, type RingSnapshot } from './ring-member';
export { linkManagerRingLinks, liveRingComponents, type RingLinks } from './ring-links';
export { PeerDiscovery, discoveryUrl, type DiscoverySignaling, type PeerDiscoveryComponents, type PeerDiscoveryInit } from './peer-discovery';
export { AppServices, OVERLAY_NAME, ICE_SERVERS_PATH, type AppServicesOptions, type AppSnapshot } from './app-services';
export { LinkService, type LinkServiceOptions, type PeerState } from './link-service';
export { MailService, type MailServiceOptions, type MailState, type SentView } from './mail-service';
export { MAX_NOTE_BYTES, OverlayService } from './overlay-service';
export { CallService, type CallServiceOptions, type CallServiceSnapshot } from './call-service';
export { ALLOW_ONCE_MS, callPolicy, mailBlockedBy, type CallPolicyOptions, type ReachRule, type MailReachRule } from './call-policy';
export { ContactBook, ContactError, MAX_CONTACTS, REACH_SETTINGS, parseContacts, type Contact, type ContactKey, type ContactBookSnapshot, type ReachSetting } from './contact-book';
export { ContactsService, type ContactsServiceOptions, type ContactsSnapshot } from './contacts-service';
export { ReadMarks, type ReadMarksSnapshot } from './read-marks';
export { PresenceWatcher, presenceOf, type Presence, type PresenceWatcherOptions } from './presence';
export { Peer, type PeerContactOptions, type PeerOptions, type PeerStartOptions } from './peer';
export { PeerMail, type PeerMailOptions } from './peer-mail';
export { OfflineTexts, type OfflineTextsOptions, type OfflineTextsSnapshot } from './offline-texts';
export { SERVICE_TAKES_NO_CALLS, decideLink, linkDecisionOf, linkPermissionRequest, type PeerRole } from './link-policy';
export { IdbKeyValueStore } from './idb-store';
export { NodeIceConfig, type NodeIceConfigOptions, type NodeIceSnapshot, type RelayState, type IceHttpResponse } from './node-ice-config';
export { checkIceAnswer, mergeIceServers, isTurnServer, MAX_NODE_ICE_SERVERS, type IceAnswerCheck } from './ice-answer';
export { browserRelayProbe, type RelayCheck, type RelayProbe } from './relay-probe';
export { insecureOrigin, type InsecureOrigin, type PageOrigin } from './secure-origin';
export { TabAlerts, browserAlerts, browserAttention, type Attention, type PhoneSource, type TabAlertsParts, type TabAlertsProbe } from './tab-alerts';
export { RingTone, ringCycle, RING_CADENCE_S, RING_TONES_HZ, type RingToneProbe } from './ring-tone';
export { PageSignals, alertFavicon, alertTitle, type PageAlertState } from './page-signals';
export { browserNotifications, type AlertNotice, type NotificationApi } from './notifier';
export { whyNotInRing } from './ring-refusal';
export { DeviceChoice, type DeviceChoiceOptions, type DeviceChoiceSnapshot, type MediaDevicesLike } from './media-devices';
export { DEVICE_KINDS, resolveDevice, parseRememberedDevices, type DeviceKind, type DeviceInfo, type RememberedDevice, type RememberedDevices } from './device-memory';
export { BootstrapBook, BOOTSTRAPS_KEY, MAX_REMEMBERED_BOOTSTRAPS, type KnownBootstrap } from './bootstrap-book';
export { BootstrapPublisher, BootstrapReader, readBootstraps, type BootstrapPublisherOptions } from './bootstrap-directory';
export {
  BOOTSTRAP_TTL_MS,
  MAX_BOOTSTRAP_URLS,
  BOOTSTRAP_REFUSAL_WORDS,
  bootstrapKey,
  bootstrapServer,
  checkBootstrapEntry,
  checkBootstrapEntries,
  makeBootstrapEntry,
  type BootstrapEntry,
  type BootstrapRead,
  type BootstrapRefusal,
} from './bootstrap-record';
