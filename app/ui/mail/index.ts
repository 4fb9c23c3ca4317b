/** Video mail components; the Phone page mounts them (see MailService in ../mail-service.ts). */
export { RecordDialog, type RecordDialogProps } from './record-dialog';
export { MailboxList } from './mailbox-list';
export { MailboxBadge } from './mailbox-badge';
export { SentList } from './sent-list';
export { useMail } from './use-mail';
