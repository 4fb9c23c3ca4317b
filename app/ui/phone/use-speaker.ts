import { useContext, useEffect, useSyncExternalStore, type RefObject } from 'react';
import { ServicesContext } from '../use-app';

type SinkElement = HTMLMediaElement & { setSinkId?: (id: string) => Promise<void> };

const noSubscribe = (): (() => void) => () => undefined;

/**
 * Plays `ref`'s sound on the speaker the person chose
 * (HTMLMediaElement.setSinkId, Audio Output Devices API). Where the browser
 * has no setSinkId, sound stays on the system's default (the devices card
 * says so).
 */
export function useSpeaker(ref: RefObject<HTMLMediaElement | null>): void {
  const devices = useContext(ServicesContext)?.devices ?? null;
  const speaker = useSyncExternalStore(devices?.subscribe ?? noSubscribe, () => devices?.speakerId() ?? '');
  useEffect(() => {
    const el = ref.current as SinkElement | null;
    if (!el?.setSinkId || el.sinkId === speaker) return;
    // A speaker unplugged meanwhile: the sound stays where it was, and the card says the default is used.
    el.setSinkId(speaker).catch(() => undefined);
  }, [ref, speaker]);
}
