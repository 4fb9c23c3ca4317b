import { createContext, useContext, useSyncExternalStore } from 'react';
import type { AppServices, AppSnapshot } from './app-services';

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
