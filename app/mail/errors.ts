/** One error type for video mail, with a code for programs and a message for people. */
export type MailErrorCode =
  | 'bad-input'
  | 'too-large'
  | 'bad-manifest'
  | 'bad-signature'
  | 'old-format'
  | 'not-for-you'
  | 'unknown-recipient'
  | 'wrong-key'
  | 'damaged'
  | 'unrecoverable'
  | 'store-failed'
  | 'deleted'
  | 'coder-failed';

export class MailError extends Error {
  override readonly name = 'MailError';
  constructor(
    readonly code: MailErrorCode,
    message: string,
  ) {
    super(message);
  }
}
