import type { PcmAudio } from "../audio/pcm.ts";
import { SpeechHysteresis } from "./speech-hysteresis.ts";
import {
  DEFAULT_HYSTERESIS,
  type HysteresisSettings,
  type VoiceActivity,
  type VoiceActivityEvent,
} from "./voice-activity.ts";

export interface EnergyVadOptions {
  frameMs?: number;
  hysteresis?: HysteresisSettings;
  /** How far back the noise floor looks (its minimum frame energy). */
  noiseWindowMs?: number;
}

/** Frames quieter than this are silence whatever the floor (a digital-silence floor would make hiss "speech"). */
const ABSOLUTE_GATE_DBFS = -55;
/** Until this much audio is seen, the floor is at most this loud (a track may open mid-word). */
const WARMUP_FRAMES = 30;
const WARMUP_FLOOR_DBFS = -50;

/**
 * Fallback VAD with no model: frame energy against a sliding noise floor (the minimum frame
 * energy over the last few seconds). SNR maps linearly to a pseudo-probability so the same
 * hysteresis as Silero applies: 10.5 dB SNR = 0.5 (onset), 8.25 dB = 0.35 (offset).
 * Good on clean tracks; degrades in noise (notes/speech-offline.md).
 */
export class EnergyVoiceActivity implements VoiceActivity {
  readonly engine = "energy";
  readonly frameMs: number;
  private readonly hysteresis: SpeechHysteresis;
  private readonly history: number[] = [];
  private readonly historyFrames: number;
  private sampleRate: number | undefined;
  private pending: number[] = [];
  private seen = 0;

  constructor(options: EnergyVadOptions = {}) {
    this.frameMs = options.frameMs ?? 10;
    if (!(this.frameMs >= 5 && this.frameMs <= 32))
      throw new Error(`energy VAD: frameMs ${this.frameMs} outside 5..32`);
    this.hysteresis = new SpeechHysteresis(this.frameMs, options.hysteresis ?? DEFAULT_HYSTERESIS);
    this.historyFrames = Math.round((options.noiseWindowMs ?? 5_000) / this.frameMs);
  }

  push(audio: PcmAudio): VoiceActivityEvent[] {
    this.sampleRate ??= audio.sampleRate;
    if (audio.sampleRate !== this.sampleRate)
      throw new Error("energy VAD: the sample rate changed mid-stream");
    const frameSamples = (this.sampleRate * this.frameMs) / 1000;
    if (!Number.isInteger(frameSamples)) {
      throw new Error(
        `energy VAD: ${this.frameMs} ms is not a whole number of samples at ${this.sampleRate} Hz`,
      );
    }
    const events: VoiceActivityEvent[] = [];
    for (const s of audio.samples) {
      this.pending.push(s);
      if (this.pending.length === frameSamples) {
        events.push(...this.hysteresis.next(this.probability(this.pending)));
        this.pending = [];
      }
    }
    return events;
  }

  flush(): VoiceActivityEvent[] {
    this.pending = [];
    return this.hysteresis.flush();
  }

  private probability(frame: readonly number[]): number {
    let sum = 0;
    for (const s of frame) sum += s * s;
    const db = 10 * Math.log10(sum / frame.length / (32768 * 32768) + 1e-12);
    this.history.push(db);
    if (this.history.length > this.historyFrames) this.history.shift();
    let floor = Math.min(...this.history);
    if (++this.seen <= WARMUP_FRAMES) floor = Math.min(floor, WARMUP_FLOOR_DBFS);
    if (db < ABSOLUTE_GATE_DBFS) return 0;
    return Math.max(0, Math.min(1, (db - floor - 3) / 15));
  }
}
