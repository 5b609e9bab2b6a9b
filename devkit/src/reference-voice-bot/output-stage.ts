import { activeSpeechLevel, createNoiseBed, type NoiseBedOptions } from "./noise-bed.ts";

/**
 * The last step before WebRTC: lays the scheduled speech over the noise bed (if any), counts every
 * sample sent — so an utterance's first and last speech samples have an index in the sent stream —
 * and can keep the whole sent stream, which the accuracy oracle aligns with what the caller received.
 */
export class OutputStage {
  private sent = 0;
  private readonly chunks: Int16Array[] = [];

  constructor(
    private readonly bed: Int16Array | undefined,
    private readonly keepSent: boolean,
  ) {
    if (bed && bed.length === 0) throw new Error("output stage: the noise bed is empty");
  }

  /** The stage for a bot whose lines are `speech`: the bed's level is set against their active level. */
  static create(
    noiseBed: NoiseBedOptions | undefined,
    speech: readonly Int16Array[],
    sampleRate: number,
    keepSent: boolean,
  ): OutputStage {
    const bed = noiseBed
      ? createNoiseBed(noiseBed, activeSpeechLevel(speech, sampleRate), sampleRate)
      : undefined;
    return new OutputStage(bed, keepSent);
  }

  /** Index in the sent stream of the next sample `mix` returns. */
  get sentSamples(): number {
    return this.sent;
  }

  /** Speech plus bed, clipped to int16; the next `speech.length` samples of the sent stream. */
  mix(speech: Int16Array): Int16Array {
    const out = new Int16Array(speech.length);
    const bed = this.bed;
    for (let i = 0; i < speech.length; i++) {
      const noise = bed ? (bed[(this.sent + i) % bed.length] ?? 0) : 0;
      out[i] = Math.max(-32768, Math.min(32767, (speech[i] ?? 0) + noise));
    }
    this.sent += speech.length;
    if (this.keepSent) this.chunks.push(out.slice());
    return out;
  }

  /**
   * The bed under each sample of `sentAudio()` (zeros without a bed; empty unless the stage keeps
   * what it sent): what was sent minus it is the bot's speech, so the two can be judged apart.
   */
  sentBed(): Int16Array {
    const out = new Int16Array(this.keepSent ? this.sent : 0);
    const bed = this.bed;
    if (bed) for (let i = 0; i < out.length; i++) out[i] = bed[i % bed.length] ?? 0;
    return out;
  }

  /** Everything sent so far, in order (empty unless the stage keeps it). */
  sentAudio(): Int16Array {
    const all = new Int16Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    return all;
  }
}
