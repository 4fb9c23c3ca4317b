/** Test helpers of permissions: key pairs, peers, certificates, a gate on a manual clock, and an in-memory cross-tab sync hub. Tests only. */
export {
  keyPair,
  testPeer,
  requestFrom,
  certificateFor,
  publicKeyText,
  openTestGate,
  settle,
  questionsWhen,
  type KeyPair,
  type TestPeer,
  type TestGate,
} from './fixtures';
export { MemorySyncHub } from './sync';
