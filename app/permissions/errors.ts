/** Named errors of the permissions module (STYLE.md, practice 6). */

/** Base class, so callers can tell a permissions refusal from a bug. */
export class PermissionsError extends Error {
  override name = 'PermissionsError';
}

/** A decision request the link handshake built wrongly (e.g. a node ID that is not the hash of the proven key). */
export class InvalidDecisionRequestError extends PermissionsError {
  override name = 'InvalidDecisionRequestError';
}

/** An imported rules file that is not JSON, has the wrong shape, or names a key that does not parse. */
export class RulesImportError extends PermissionsError {
  override name = 'RulesImportError';
}

/** A pasted or imported public key (a root, a user key for the CLI) that does not parse. */
export class KeyParseError extends PermissionsError {
  override name = 'KeyParseError';
}

/** An answer to a question that is no longer waiting (answered, timed out or withdrawn). */
export class QuestionNotFoundError extends PermissionsError {
  override name = 'QuestionNotFoundError';
}

/** The named rule, root or overlay allowance does not exist. */
export class NotFoundError extends PermissionsError {
  override name = 'NotFoundError';
}
