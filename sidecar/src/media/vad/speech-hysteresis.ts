import { DEFAULT_HYSTERESIS, type HysteresisSettings, type VoiceActivityEvent } from "./voice-activity.ts";

/**
 * Turns per-frame speech probabilities into speech segments (pure; frames are counted, not timed).
 * Speech starts when frames stay at or above `onset` (frames between offset and onset keep a
 * candidate alive) for `minSpeechMs`; it ends when frames stay below `offset` for `minSilenceMs`.
 * Reported times are frame boundaries: start of the first speech frame, end of the last one.
 */
export class SpeechHysteresis {
  private frame = 0;
  private inSpeech = false;
  private candidateStart: number | undefined;
  private segmentStart = 0;
  private lastSpeechFrame = 0;

  constructor(
    readonly frameMs: number,
    private readonly settings: HysteresisSettings = DEFAULT_HYSTERESIS,
  ) {
    if (!(frameMs > 0)) throw new Error(`hysteresis: frameMs must be > 0, got ${frameMs}`);
    if (!(settings.offset <= settings.onset)) throw new Error("hysteresis: offset must not exceed onset");
  }

  /** In a segment (started, not yet ended) after the frames fed so far. */
  get speaking(): boolean {
    return this.inSpeech;
  }

  /** Feeds the next frame's speech probability (0..1). */
  next(probability: number): VoiceActivityEvent[] {
    const f = this.frame++;
    const { onset, offset, minSpeechMs, minSilenceMs } = this.settings;
    if (this.inSpeech) {
      if (probability >= offset) {
        this.lastSpeechFrame = f;
        return [];
      }
      if ((f - this.lastSpeechFrame) * this.frameMs >= minSilenceMs) return [this.close()];
      return [];
    }
    if (this.candidateStart === undefined) {
      if (probability >= onset) this.candidateStart = f;
    } else if (probability < offset) {
      this.candidateStart = probability >= onset ? f : undefined;
    }
    if (this.candidateStart === undefined || probability < offset) return [];
    if ((f - this.candidateStart + 1) * this.frameMs < minSpeechMs) return [];
    this.inSpeech = true;
    this.segmentStart = this.candidateStart;
    this.lastSpeechFrame = f;
    this.candidateStart = undefined;
    return [{ type: "speech_started", startMs: this.segmentStart * this.frameMs }];
  }

  flush(): VoiceActivityEvent[] {
    this.candidateStart = undefined;
    return this.inSpeech ? [this.close()] : [];
  }

  private close(): VoiceActivityEvent {
    this.inSpeech = false;
    return {
      type: "speech_ended",
      segment: {
        startMs: this.segmentStart * this.frameMs,
        endMs: (this.lastSpeechFrame + 1) * this.frameMs,
      },
    };
  }
}
