import type { Clock } from "../media/clock.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Where frames go: the room's microphone (its captureFrame paces the loop in real time). */
export interface FrameSink {
  readonly sampleRate: number;
  captureFrame(samples: Int16Array): Promise<void>;
}

/** When a clip played, on the track's sample clock: `endMs` is just after its last sample. */
export interface PlayedClip {
  startMs: number;
  endMs: number;
}

export interface PlayoutStats {
  /** How much audio each frame carries (the room's microphone frame: 100 ms on LiveKit). */
  frameMs: number;
  frames: number;
  /** Frames handed over after their slot had passed: the outgoing queue had run dry (a gap on the track). */
  underruns: number;
  /** Sum and worst of those gaps. */
  underrunMs: number;
  maxLateMs: number;
}

interface Clip {
  samples: Int16Array;
  offset: number;
  notBeforeMs: number;
  startMs: number | undefined;
  resolve: (played: PlayedClip) => void;
  reject: (error: Error) => void;
  onStart: ((startMs: number) => void) | undefined;
}

/**
 * The caller's microphone clock. Feeds the sink one frame at a time forever — the queued clip's
 * samples, else silence — so the track (and the recording, and every timestamp) runs on one
 * continuous sample clock: frame k plays at anchor + k·frameMs. A frame handed over after its
 * slot means the queue ran dry; the gap is counted as an underrun and the clock re-anchored, so
 * timestamps stay true to what was sent.
 */
export class MicrophonePlayout {
  readonly frameSamples: number;
  readonly stats: PlayoutStats;
  private readonly queue: Clip[] = [];
  private anchorMs: number | undefined;
  private frameIndex = 0;
  private running = false;
  private loop: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly sink: FrameSink,
    private readonly clock: Clock,
    private readonly options: {
      frameMs?: number;
      /** Every frame with the clock ms of its first sample (recorder, tests). */
      onFrame?: (samples: Int16Array, slotMs: number) => void;
      /** Waits `ms` of clock time (default: a real timer); tests with a manual clock inject theirs. */
      wait?: (ms: number) => Promise<void>;
    } = {},
  ) {
    this.frameSamples = Math.round((this.frameMs * sink.sampleRate) / 1000);
    this.stats = { frameMs: this.frameMs, frames: 0, underruns: 0, underrunMs: 0, maxLateMs: 0 };
  }

  private maxLead: number | undefined;

  /**
   * How far ahead of the track frames may be handed over: undefined (default) = as far as the
   * sink's queue takes them (robust against event-loop stalls up to that long); a small value
   * when something must start soon after it is decided (a barge-in): a clip queued now can start
   * `maxLeadMs` + one frame from now instead of after the whole queue. Lowering it takes effect
   * once what is already queued has played.
   */
  setMaxLead(maxLeadMs: number | undefined): void {
    this.maxLead = maxLeadMs;
  }

  get frameMs(): number {
    return this.options.frameMs ?? 10;
  }

  /** The error that stopped the loop (the sink failed), if any. */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Whether a clip is queued or playing. */
  get busy(): boolean {
    return this.queue.length > 0;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /**
   * Queues mono samples at the sink's rate; resolves once the last frame is handed over. With
   * `notBeforeMs` the clip starts at that clock time, to the sample (the loop runs ahead of the
   * track, so a clip queued early starts exactly on time).
   */
  play(
    samples: Int16Array,
    options: {
      notBeforeMs?: number;
      /** Called as the clip's first frame is handed over, with the clock ms its first sample plays at. */
      onStart?: (startMs: number) => void;
    } = {},
  ): Promise<PlayedClip> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.running) return Promise.reject(new Error("the microphone is not running"));
    const notBeforeMs = options.notBeforeMs ?? Number.NEGATIVE_INFINITY;
    return new Promise((resolve, reject) => {
      this.queue.push({
        samples,
        offset: 0,
        notBeforeMs,
        startMs: undefined,
        resolve,
        reject,
        onStart: options.onStart,
      });
    });
  }

  /**
   * Resolves when the clock reaches `ms`: frames are handed over ahead of the track, so "handed
   * over" is not "heard"; what must coincide with the audio (a DTMF data packet, the caller's
   * transcription) waits for this.
   */
  untilClock(ms: number): Promise<void> {
    const wait = ms - this.clock.now();
    return wait > 0 ? (this.options.wait ?? sleep)(wait) : Promise.resolve();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.failAll(new Error("the microphone stopped"));
  }

  private async run(): Promise<void> {
    try {
      while (this.running) await this.step();
    } catch (cause) {
      this.failure = cause instanceof Error ? cause : new Error(String(cause));
      this.running = false;
      this.failAll(this.failure);
    }
  }

  private async step(): Promise<void> {
    const slot = this.nextSlot();
    if (this.maxLead !== undefined) {
      const ahead = slot - this.clock.now() - this.maxLead;
      if (ahead > 0) await (this.options.wait ?? sleep)(ahead);
    }
    const frame = new Int16Array(this.frameSamples);
    const clip = this.queue[0];
    let finished: { clip: Clip; played: PlayedClip } | undefined;
    const rate = this.sink.sampleRate;
    let at = 0;
    if (clip && clip.startMs === undefined) {
      const wait = clip.notBeforeMs - slot;
      at = wait >= this.frameMs ? -1 : wait > 0 ? Math.round((wait * rate) / 1000) : 0;
      if (at >= 0) {
        clip.startMs = slot + (at * 1000) / rate;
        clip.onStart?.(clip.startMs);
      }
    }
    if (clip?.startMs !== undefined && at >= 0) {
      const take = Math.min(this.frameSamples - at, clip.samples.length - clip.offset);
      frame.set(clip.samples.subarray(clip.offset, clip.offset + take), at);
      clip.offset += take;
      if (clip.offset >= clip.samples.length) {
        this.queue.shift();
        finished = { clip, played: { startMs: clip.startMs, endMs: slot + ((at + take) * 1000) / rate } };
      }
    }
    this.options.onFrame?.(frame, slot);
    this.stats.frames++;
    this.frameIndex++;
    await this.sink.captureFrame(frame);
    finished?.clip.resolve(finished.played);
  }

  private nextSlot(): number {
    const now = this.clock.now();
    if (this.anchorMs === undefined) {
      this.anchorMs = now;
      return now;
    }
    const slot = this.anchorMs + this.frameIndex * this.frameMs;
    if (now <= slot) return slot;
    const late = now - slot;
    this.stats.underruns++;
    this.stats.underrunMs += late;
    this.stats.maxLateMs = Math.max(this.stats.maxLateMs, late);
    this.anchorMs += late;
    return now;
  }

  private failAll(error: Error): void {
    for (const clip of this.queue.splice(0)) clip.reject(error);
  }
}
