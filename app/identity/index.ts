/** Identity: key pairs (WebCrypto), node IDs, signed records, fingerprints. */
export { toHex, fromHex, equalBytes, compareBytes, concatBytes, utf8, fromUtf8 } from './bytes';
export { utf8Length, fitsUtf8, utf8Prefix, utf8Offset } from './utf8-length';
export { canonicalEncode, canonicalDecode, type CanonicalValue, type DecodeLimits } from './canonical';
export { EncodingError, InvalidKeyError, IdentityUnavailableError } from './errors';
export {
  sha256,
  nodeIdFromSpki,
  isNodeId,
  nodeIdBytes,
  fingerprint,
  keyFingerprint,
  generateSigningKeyPair,
  generateEcdhKeyPair,
  exportSpki,
  importVerifyKey,
  importEcdhPublicKey,
  signBytes,
  verifyBytes,
  NODE_ID_BYTES,
  NODE_ID_PATTERN,
  SIGNATURE_BYTES,
  MAX_SPKI_BYTES,
} from './keys';
export { signValue, verifyValue } from './signed';
export { type KeyValueStore, MemoryKeyValueStore } from './kv-store';
export { type LockManagerLike, type LockOptions, type HeldLock, holdLock, MemoryLockManager } from './locks';
export {
  type NodeIdentity,
  type AcquireNodeIdentityOptions,
  type AcquiredNodeIdentity,
  acquireNodeIdentity,
  NODE_SLOT_PREFIX,
  NODE_LOCK_PREFIX,
  NODE_AGREEMENT_PREFIX,
} from './node-identity';
export { type UserIdentity, type LoadedUserIdentity, loadUserIdentity, USER_KEY, USER_LOCK } from './user-identity';
export {
  type IdentityCertificate,
  type VerifyCertificateOptions,
  type CertificateProblem,
  type CertificateCheck,
  type IssueCertificateOptions,
  CERTIFICATE_TYPE,
  MAX_CERTIFICATE_BYTES,
  MAX_CERTIFICATE_NAME,
  toBase64Url,
  fromBase64,
  certificateNameProblem,
  issueCertificate,
  certificateToJson,
  serializeCertificate,
  parseCertificate,
  verifyCertificate,
} from './certificate';
export { MAX_CLOCK_SKEW_MS, hasSurelyExpired, honouredUntil, isSurelyAhead, withinClockSkew } from './clock-skew';
export {
  AGREEMENT_PUBLIC_BYTES,
  SEAL_NONCE_BYTES,
  SEAL_TAG_BYTES,
  SEAL_OVERHEAD_BYTES,
  generateAgreementKeyPair,
  exportAgreementPublic,
  importAgreementPublic,
  deriveSealingKey,
  sealBytes,
  openBytes,
} from './sealing';
export { ROUTED_PAD_BUCKETS, bucketFor, padToBucket, unpadBucket } from './padding';
export {
  type IdPuzzleDifficulty,
  type IdPuzzleProblem,
  type IdPuzzleProgress,
  type SolveIdPuzzleOptions,
  ID_PUZZLE_X_BYTES,
  ID_PUZZLE_WORDS,
  MAX_ID_PUZZLE_BITS,
  NO_ID_PUZZLE,
  DEFAULT_ID_PUZZLE,
  leadingZeroBits,
  checkIdPuzzleDifficulty,
  meetsStaticPuzzle,
  idPuzzleProblem,
  solveDynamicPuzzle,
  generatePuzzleKeyPair,
} from './id-puzzle';
export {
  type KeyProof,
  type KeyProofProblem,
  KEY_PROOF_VERSION,
  KEY_PROOF_REFUSED,
  ID_REPLACED,
  KEY_PROOF_NONCE_BYTES,
  MAX_KEY_PROOF_CHARS,
  keyProofPayload,
  encodeKeyProof,
  parseKeyProof,
  makeKeyProof,
  checkKeyProof,
} from './key-proof';
