/** Development-and-test-only tools: the typed handle end-to-end tests read a tab through. */
export { createTestHandle, type SoftphoneTestHandle, type OverlayCounterReading, type MailListItem, type MailSenderSeams } from './test-handle';
