/**
 * A namespaced logger (STYLE.md, practice 11). Warnings and errors go to the
 * console, except under Vitest, where everything is silent unless a test
 * passes its own sink; debug lines need `enableDebug`.
 */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

let debugEnabled = false;

/** Turns debug lines on (e.g. from the browser console). */
export function enableDebug(on = true): void {
  debugEnabled = on;
}

function underTest(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.['VITEST'] !== undefined;
}

export const silentLogger: Logger = { debug: () => {}, warn: () => {}, error: () => {} };

export function createLogger(namespace: string): Logger {
  if (underTest()) return silentLogger;
  const tag = `[${namespace}]`;
  return {
    debug: (m, ...d) => {
      if (debugEnabled) console.debug(tag, m, ...d);
    },
    warn: (m, ...d) => console.warn(tag, m, ...d),
    error: (m, ...d) => console.error(tag, m, ...d),
  };
}
