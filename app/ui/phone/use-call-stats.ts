import { useEffect, useState } from 'react';

export interface StatsSample {
  at: number;
  /** Received media bitrate, kbit/s. */
  kbps: number;
  /** Packets lost in the last interval, percent. */
  lossPct: number;
  /** Round-trip time of the selected candidate pair, ms. */
  rttMs: number | null;
  framesDecoded: number;
  bytesReceived: number;
}

interface Totals {
  bytes: number;
  lost: number;
  received: number;
}

/** Samples getStats() every second while `pc` is set; keeps the last minute. */
export function useCallStats(pc: RTCPeerConnection | null): StatsSample[] {
  const [samples, setSamples] = useState<StatsSample[]>([]);
  useEffect(() => {
    if (!pc) return;
    let prev: Totals | null = null;
    let stopped = false;
    const poll = async (): Promise<void> => {
      const report = await pc.getStats().catch(() => null);
      if (!report || stopped) return;
      const t: Totals = { bytes: 0, lost: 0, received: 0 };
      let frames = 0;
      let rtt: number | null = null;
      report.forEach((s: Record<string, unknown>) => {
        if (s['type'] === 'inbound-rtp') {
          t.bytes += Number(s['bytesReceived'] ?? 0);
          t.lost += Number(s['packetsLost'] ?? 0);
          t.received += Number(s['packetsReceived'] ?? 0);
          frames += Number(s['framesDecoded'] ?? 0);
        }
        if (s['type'] === 'candidate-pair' && s['nominated'] && s['currentRoundTripTime'] !== undefined) {
          rtt = Math.round(Number(s['currentRoundTripTime']) * 1000);
        }
      });
      const p = prev;
      prev = t;
      const dBytes = p ? t.bytes - p.bytes : 0;
      const dLost = p ? t.lost - p.lost : 0;
      const dRecv = p ? t.received - p.received : 0;
      const sample: StatsSample = {
        at: Date.now(),
        kbps: Math.max(0, Math.round((dBytes * 8) / 1000)),
        lossPct: dLost + dRecv > 0 ? Math.max(0, (100 * dLost) / (dLost + dRecv)) : 0,
        rttMs: rtt,
        framesDecoded: frames,
        bytesReceived: t.bytes,
      };
      setSamples((old) => [...old.slice(-59), sample]);
    };
    void poll();
    const timer = setInterval(() => void poll(), 1000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [pc]);
  return samples;
}
