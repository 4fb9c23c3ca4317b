/**
 * Recording behind an interface: MediaRecorder (WebM) in the browser, a
 * fake that makes bytes in Node tests. The recorder stops by itself at the
 * length limit.
 */
import { DEFAULT_MAX_DURATION_MS, MAX_THUMBNAIL_BYTES } from './constants';
import type { Recording } from './types';

export interface Recorder {
  /** Starts recording `stream`; the returned promise settles with the recording when stopped (or at the limit). */
  start(stream: MediaStream | null, maxDurationMs?: number): Promise<Recording>;
  stop(): void;
  readonly recording: boolean;
}

/** About 1 Mbit/s: two minutes stay under the 16 MiB message limit. */
const VIDEO_BITS = 850_000;
const AUDIO_BITS = 64_000;

function pickType(): string {
  const MR = globalThis.MediaRecorder as typeof MediaRecorder | undefined;
  for (const t of ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp9,opus', 'video/webm']) if (MR?.isTypeSupported(t)) return t;
  return 'video/webm';
}

/** A small JPEG of the stream's current frame, or null when it cannot be made small enough. */
export async function snapshot(stream: MediaStream): Promise<Uint8Array | null> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  try {
    await video.play();
    const w = 160;
    const h = Math.round((w * (video.videoHeight || 90)) / (video.videoWidth || 160));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    canvas.getContext('2d')?.drawImage(video, 0, 0, w, h);
    for (const q of [0.7, 0.5, 0.3]) {
      const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', q));
      if (blob && blob.size <= MAX_THUMBNAIL_BYTES) return new Uint8Array(await blob.arrayBuffer());
    }
    return null;
  } catch {
    return null;
  } finally {
    video.srcObject = null;
  }
}

export class MediaRecorderRecorder implements Recorder {
  private rec: MediaRecorder | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  get recording(): boolean {
    return this.rec?.state === 'recording';
  }

  async start(stream: MediaStream | null, maxDurationMs = DEFAULT_MAX_DURATION_MS): Promise<Recording> {
    if (!stream) throw new Error('There is no camera stream to record.');
    const type = pickType();
    const thumbnail = await snapshot(stream);
    const rec = new MediaRecorder(stream, { mimeType: type, videoBitsPerSecond: VIDEO_BITS, audioBitsPerSecond: AUDIO_BITS });
    this.rec = rec;
    const chunks: Blob[] = [];
    const started = performance.now();
    return new Promise((resolve, reject) => {
      rec.ondataavailable = (e) => {
        if (e.data.size > 0) chunks.push(e.data);
      };
      rec.onerror = () => reject(new Error('The recorder stopped with an error.'));
      rec.onstop = () => {
        if (this.timer) clearTimeout(this.timer);
        const durationMs = Math.min(performance.now() - started, maxDurationMs);
        void new Blob(chunks, { type }).arrayBuffer().then((b) => resolve({ bytes: new Uint8Array(b), type, durationMs, thumbnail }));
      };
      rec.start(1000);
      this.timer = setTimeout(() => this.stop(), maxDurationMs);
    });
  }

  stop(): void {
    if (this.rec && this.rec.state !== 'inactive') this.rec.stop();
  }
}
