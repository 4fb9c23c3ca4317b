/**
 * The peer layer: the React-free assembly of one running peer (identity,
 * overlay, transport, permissions, sip, mail) for a browser tab and for the
 * service peer. app/ui renders it; app/main.tsx and app/node start it.
 */
export { AppServices, OVERLAY_NAME, type AppServicesOptions, type AppSnapshot } from './app-services';
export { LinkService, type PeerState } from './link-service';
export { MailService, type MailServiceOptions, type MailState, type SentView } from './mail-service';
export { MAX_NOTE_BYTES, OverlayService, type RingSnapshot } from './overlay-service';
export { PhoneService, type PhoneServiceOptions, type PhoneServiceSnapshot } from './phone-service';
