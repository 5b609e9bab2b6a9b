/** One utterance the bot will say: its speech samples (trimmed to the first and last speech sample). */
export interface ScheduledUtterance {
  id: string;
  samples: Int16Array;
  /** Clock ms at which its first sample should be sent. */
  startAtMs: number;
}

export type OutputEvent =
  /** The utterance's first sample is sample `offset` of this frame. */
  | { type: "started"; id: string; offset: number }
  /**
   * Its last sent sample is sample `offset` of this frame; −1 means the last sample of the
   * previous frame (a cut that landed on a frame boundary).
   */
  | { type: "ended"; id: string; offset: number; cut: boolean };

export interface OutputFrame {
  samples: Int16Array;
  events: OutputEvent[];
}

interface Active {
  id: string;
  samples: Int16Array;
  position: number;
  /** Clock ms before which the last sample must go (a barge-in cut), if any. */
  cutAtMs: number | undefined;
}

/**
 * The bot's outgoing stream, frame by frame (pure). Between utterances every sample is exactly
 * zero, so the first non-zero sample the far side receives marks an utterance's arrival. An
 * utterance starts at the sample nearest its planned time (frames are 10 ms; starts are not
 * rounded to them) and a cut stops at the first sample at or after the cut time.
 */
export class OutputSchedule {
  private pending: ScheduledUtterance | undefined;
  private active: Active | undefined;
  readonly frameMs: number;

  constructor(
    readonly sampleRate = 48_000,
    readonly frameSamples = 480,
  ) {
    this.frameMs = (frameSamples * 1000) / sampleRate;
  }

  get activeId(): string | undefined {
    return this.active?.id;
  }

  get pendingId(): string | undefined {
    return this.pending?.id;
  }

  /** Queues the next utterance (replacing one not yet started). */
  play(utterance: ScheduledUtterance): void {
    if (utterance.samples.length === 0) throw new Error(`output: utterance ${utterance.id} has no samples`);
    this.pending = utterance;
  }

  /** Drops the utterance not yet started; returns its id. */
  cancelPending(): string | undefined {
    const id = this.pending?.id;
    this.pending = undefined;
    return id;
  }

  /** Ends the active utterance so that no sample at or after `atMs` is sent. */
  cutAt(atMs: number): void {
    if (!this.active) return;
    this.active.cutAtMs = Math.min(atMs, this.active.cutAtMs ?? Number.POSITIVE_INFINITY);
  }

  /** The frame whose first sample goes out at `frameStartMs`. */
  next(frameStartMs: number): OutputFrame {
    const out = new Int16Array(this.frameSamples);
    const events: OutputEvent[] = [];
    const sampleAt = (ms: number) => Math.ceil(((ms - frameStartMs) * this.sampleRate) / 1000 - 1e-9);
    let at = 0;
    while (at < this.frameSamples) {
      if (!this.active) {
        const p = this.pending;
        if (!p) break;
        const start = Math.max(at, Math.round(((p.startAtMs - frameStartMs) * this.sampleRate) / 1000));
        if (start >= this.frameSamples) break;
        this.pending = undefined;
        this.active = { id: p.id, samples: p.samples, position: 0, cutAtMs: undefined };
        events.push({ type: "started", id: p.id, offset: start });
        at = start;
      }
      const a = this.active;
      const stop =
        a.cutAtMs === undefined ? this.frameSamples : Math.min(this.frameSamples, sampleAt(a.cutAtMs));
      const take = Math.max(0, Math.min(stop - at, a.samples.length - a.position));
      out.set(a.samples.subarray(a.position, a.position + take), at);
      a.position += take;
      at += take;
      const finished = a.position >= a.samples.length;
      const cut = !finished && a.cutAtMs !== undefined && at >= stop && stop < this.frameSamples;
      if (!(finished || cut)) break;
      // A cut before anything of this frame went out ends on the previous frame's last sample.
      events.push({ type: "ended", id: a.id, offset: at - 1, cut: !finished });
      this.active = undefined;
    }
    return { samples: out, events };
  }
}
