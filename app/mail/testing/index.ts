/** Test helpers of mail: people with keys, an in-memory mail world, and a recorder that needs no camera. Tests only. */
export { nodeCoder, makePerson, fakeResolver, MailWorld, type Person } from './kit';
export { FakeRecorder } from './fake-recorder';
