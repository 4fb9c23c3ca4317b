import { createContext, useContext, useEffect, useState, useSyncExternalStore } from 'react';
import type { AppServices, AppSnapshot } from '../peer';

export const ServicesContext = createContext<AppServices | null>(null);

export function useServices(): AppServices {
  const s = useContext(ServicesContext);
  if (!s) throw new Error('useServices needs a ServicesContext provider');
  return s;
}

export function useAppSnapshot(): AppSnapshot {
  const s = useServices();
  return useSyncExternalStore(s.subscribe, s.getSnapshot);
}

/** Any store with the subscribe/getSnapshot pair, read as React state. */
export function useStore<T>(store: { subscribe(fn: () => void): () => void; getSnapshot(): T }): T {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** Re-renders every `everyMs` while `active`, for countdowns. */
export function useNow(active: boolean, everyMs = 250): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [active, everyMs]);
  return now;
}
