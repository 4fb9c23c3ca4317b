/** The mail state as a React value. */
import { useSyncExternalStore } from 'react';
import type { MailService, MailState } from '../../peer';

export function useMail(service: MailService): MailState {
  return useSyncExternalStore(service.subscribe, service.getSnapshot);
}

export function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function when(t: number): string {
  return new Date(t).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
