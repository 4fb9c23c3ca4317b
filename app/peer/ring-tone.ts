/**
 * The ring tone of an incoming call, made with Web Audio (issue 18: no audio
 * file, so nothing copyrighted). The cadence is the UK/European double ring:
 * a 400 Hz + 450 Hz pair (ITU-T E.180 and its supplement list it), on 0.4 s,
 * off 0.2 s, on 0.4 s, off 2 s. One 3 s cycle is rendered into an AudioBuffer
 * once and looped by the audio clock, so the tone needs no page timer: a
 * hidden tab throttles timers (to once a minute after 5 minutes hidden in
 * Chromium) but never the audio thread.
 *
 * Browsers start an AudioContext only after the page got a user gesture
 * (Chromium's autoplay policy: sticky user activation). The context is made
 * at the first gesture (`unlock`, wired by TabAlerts to the page's first
 * pointerdown or keydown) and reused; a ring that finds it suspended tries to
 * resume it and, failing that, resumes at the next gesture on the page. The
 * in-page dialog and the system notification do not depend on it.
 */

/** One cycle of the double ring, in seconds: on, off, on, off. */
export const RING_CADENCE_S = [0.4, 0.2, 0.4, 2] as const;
/** The two tones mixed, in Hz. */
export const RING_TONES_HZ = [400, 450] as const;
/** Peak amplitude of the mix (0..1): loud enough to notice, short of clipping. */
const PEAK = 0.25;
/** Fade in and out of each burst, in seconds, so it does not click. */
const RAMP_S = 0.01;

/**
 * One cycle of the ring, as samples at `sampleRate` (Hz): the two tones
 * during the "on" parts (with short ramps), silence in the "off" parts.
 */
export function ringCycle(sampleRate: number): Float32Array<ArrayBuffer> {
  const total = RING_CADENCE_S.reduce((a, b) => a + b, 0);
  const out = new Float32Array(Math.round(total * sampleRate));
  let start = 0;
  RING_CADENCE_S.forEach((seconds, i) => {
    const n = Math.round(seconds * sampleRate);
    if (i % 2 === 0) {
      const ramp = Math.max(1, Math.round(RAMP_S * sampleRate));
      for (let k = 0; k < n; k++) {
        const t = k / sampleRate;
        const envelope = Math.min(1, k / ramp, (n - 1 - k) / ramp);
        out[start + k] = (PEAK / 2) * envelope * (Math.sin(2 * Math.PI * RING_TONES_HZ[0] * t) + Math.sin(2 * Math.PI * RING_TONES_HZ[1] * t));
      }
    }
    start += n;
  });
  return out;
}

/** What a test (through the test handle) or a person debugging can read of the ring tone. */
export interface RingToneProbe {
  /** Whether a ring was asked for and not stopped. */
  readonly ringing: boolean;
  /** The AudioContext's state (`running`, `suspended`, `closed`), or `none` before the first gesture or ring. */
  readonly contextState: AudioContextState | 'none';
  /** The RMS level of the last ~46 ms the ring graph produced (0..1), read from its AnalyserNode. */
  readonly level: number;
}

/** The ring tone of one tab. */
export class RingTone {
  private context: AudioContext | null = null;
  private analyser: AnalyserNode | null = null;
  private source: AudioBufferSourceNode | null = null;
  private wanted = false;

  constructor(private readonly makeContext: () => AudioContext = () => new AudioContext()) {}

  /**
   * Makes the AudioContext, or resumes it while a ring waits for it; call
   * from a user gesture, when the browser lets audio start.
   */
  unlock(): void {
    if (this.context && !this.wanted) return;
    try {
      const ctx = this.ensure();
      // Made in a gesture, it runs; with nothing to play it is suspended again, and a later ring may resume it (the page has had its gesture).
      if (!this.wanted) void ctx.suspend().catch(() => undefined);
      else if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    } catch {
      // No Web Audio here: the dialog and the notification still tell the person.
    }
  }

  /** Starts ringing (again from the cycle's start); a second call while ringing changes nothing. */
  start(): void {
    this.wanted = true;
    if (this.source) return;
    let ctx: AudioContext;
    try {
      ctx = this.ensure();
    } catch {
      return;
    }
    const cycle = ringCycle(ctx.sampleRate);
    const buffer = ctx.createBuffer(1, cycle.length, ctx.sampleRate);
    buffer.copyToChannel(cycle, 0);
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.loop = true;
    source.connect(this.analyser!);
    source.start();
    this.source = source;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
  }

  /** Stops ringing; the context stays for the next ring, suspended so it holds no audio device. */
  stop(): void {
    this.wanted = false;
    const source = this.source;
    this.source = null;
    if (source) {
      try {
        source.stop();
      } catch {
        // Already stopped.
      }
      source.disconnect();
    }
    if (this.context?.state === 'running') void this.context.suspend().catch(() => undefined);
  }

  /** Whether it rings, the context's state and the level the graph produces now. */
  probe(): RingToneProbe {
    let level = 0;
    if (this.analyser) {
      const samples = new Float32Array(this.analyser.fftSize);
      this.analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const s of samples) sum += s * s;
      level = Math.sqrt(sum / samples.length);
    }
    return { ringing: this.wanted, contextState: this.context?.state ?? 'none', level };
  }

  /** Whether a ring is wanted but the browser has not let the audio start yet (no gesture on the page so far). */
  get waitingForGesture(): boolean {
    return this.wanted && this.context?.state !== 'running';
  }

  close(): void {
    this.stop();
    void this.context?.close().catch(() => undefined);
    this.context = null;
  }

  private ensure(): AudioContext {
    if (this.context) return this.context;
    const ctx = this.makeContext();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 2048;
    analyser.connect(ctx.destination);
    this.context = ctx;
    this.analyser = analyser;
    return ctx;
  }
}
