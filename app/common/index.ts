/**
 * What every layer shares and nothing app-specific: the injected Clock, the
 * seeded Random, the safe listener set, the snapshot store React reads, the
 * serial queue and the namespaced logger. It imports no other app folder.
 * Its test clock is in `common/testing`.
 */
export { type Clock, systemClock } from './clock';
export { type Random, SeededRandom, randomInt, randomBytes, exponential } from './random';
export { Listeners } from './listeners';
export { Snapshots } from './snapshots';
export { SerialQueue } from './serial-queue';
export { type Logger, createLogger, silentLogger, enableDebug } from './logger';
