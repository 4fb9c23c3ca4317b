import { DEFAULT_MAX_DURATION_MS } from '../constants';
import type { Recorder } from '../recorder';
import type { Recording } from '../types';

/** For tests: "records" `bytesPerSecond` of deterministic bytes per second of (injected) time. */
export class FakeRecorder implements Recorder {
  private resolveStop: (() => void) | null = null;
  recording = false;

  constructor(
    private readonly opts: { bytes: number; durationMs: number; type?: string; thumbnail?: Uint8Array | null },
  ) {}

  start(_stream: MediaStream | null, maxDurationMs = DEFAULT_MAX_DURATION_MS): Promise<Recording> {
    this.recording = true;
    return new Promise((resolve) => {
      this.resolveStop = () => {
        this.recording = false;
        const bytes = new Uint8Array(this.opts.bytes);
        for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
        resolve({ bytes, type: this.opts.type ?? 'video/webm', durationMs: Math.min(this.opts.durationMs, maxDurationMs), thumbnail: this.opts.thumbnail ?? null });
      };
    });
  }

  stop(): void {
    this.resolveStop?.();
    this.resolveStop = null;
  }
}
