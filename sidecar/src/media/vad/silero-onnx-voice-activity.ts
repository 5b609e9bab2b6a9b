import type { PcmAudio } from "../audio/pcm.ts";
import { BedFlatness } from "./bed-flatness.ts";
import { DEFAULT_EDGE_REFINER, EdgeRefiner, type EdgeRefinerOptions } from "./edge-refiner.ts";
import { SILERO_SAMPLE_RATE, SILERO_WINDOW_SAMPLES, SileroV5Model } from "./silero-onnx-model.ts";
import { SpeechHysteresis } from "./speech-hysteresis.ts";
import { To16kFloat } from "./to-16k-float.ts";
import {
  DEFAULT_HYSTERESIS,
  type HysteresisSettings,
  type VoiceActivity,
  type VoiceActivityEvent,
} from "./voice-activity.ts";

const WINDOW_MS = (SILERO_WINDOW_SAMPLES / SILERO_SAMPLE_RATE) * 1000;
/**
 * A window the model gives at least this is not background yet. A weak word opening a line can
 * stay under the onset for several windows: flite's "Of course" read 0.26, 0.25, 0.41, 0.41, 0.25,
 * 0.08, 0.09, 0.16, 0.09 and crossed 0.5 only at "-urse", 320 ms in, in 3 of 10 live clean calls
 * (a turn 234–247 ms late), while silence and digital zeros read under 0.002.
 */
const UNSURE_PROBABILITY = 0.01;
/** How far before its first speech window a segment's onset is searched over unsure windows. */
const MAX_UNSURE_WINDOWS = 10;
/**
 * Probabilities kept: the unsure windows, plus the windows the hysteresis waits (its minimum
 * speech, 100 ms = 4 windows) before it announces the segment, with room to spare.
 */
const RECENT_WINDOWS = 32;

export interface SileroOnnxVadOptions {
  hysteresis?: HysteresisSettings;
  /** Energy edge refinement; `false` reports the raw 32 ms frame edges. */
  edges?: Partial<Omit<EdgeRefinerOptions, "sampleRate" | "blockSamples"> & { blockMs: number }> | false;
}

/**
 * Silero v5 run per 32 ms window by onnxruntime-node, its probabilities fed to the same
 * `SpeechHysteresis` as every engine (onset 0.5 / offset 0.35, min speech 100 ms, min silence
 * 500 ms). The model decides speech vs non-speech; an `EdgeRefiner` then moves each segment's start
 * and end to the nearest energy block (4 ms) inside a bounded window around the first and last
 * speech frame, because the model's frame grid and recurrent lag leave edges tens of ms off
 * (offsets especially: the probability decays for a few frames after speech stops).
 * Audio at any rate is resampled to 16 kHz. Synchronous: every event is returned by the `push`
 * (or `flush`) whose audio decided it.
 */
export class SileroOnnxVoiceActivity implements VoiceActivity {
  readonly engine: string;
  readonly frameMs: number;
  private readonly model = new SileroV5Model();
  private readonly hysteresis: SpeechHysteresis;
  private readonly refiner: EdgeRefiner | undefined;
  private readonly offsetThreshold: number;
  private converter: To16kFloat | undefined;
  private readonly window = new Float32Array(SILERO_WINDOW_SAMPLES);
  private filled = 0;
  /** Refined start of the open segment, keyed by its raw frame start. */
  private openStart: { rawMs: number; ms: number } | undefined;
  /** The model's probability for each recent window, by window number modulo its length. */
  private readonly recent = new Float32Array(RECENT_WINDOWS);
  private windows = 0;
  /** The window after the last segment's last speech window: an onset search never goes before it. */
  private lastSegmentEndWindow = 0;
  /** What the background windows sound like: a flat noise, or talkers. */
  private readonly bed = new BedFlatness(SILERO_SAMPLE_RATE, SILERO_WINDOW_SAMPLES);

  /** Throws MissingEngineError (saying how to install) when onnxruntime-node or the model is absent. */
  constructor(options: SileroOnnxVadOptions = {}) {
    const settings = options.hysteresis ?? DEFAULT_HYSTERESIS;
    this.hysteresis = new SpeechHysteresis(WINDOW_MS, settings);
    this.offsetThreshold = settings.offset;
    if (options.edges === false) {
      this.refiner = undefined;
      this.frameMs = WINDOW_MS;
      this.engine = "silero-v5/onnxruntime";
    } else {
      const { blockMs, ...rest } = { ...DEFAULT_EDGE_REFINER, ...options.edges };
      const blockSamples = Math.round((blockMs * SILERO_SAMPLE_RATE) / 1000);
      if (SILERO_WINDOW_SAMPLES % blockSamples !== 0)
        throw new Error(`silero VAD: edge block ${blockMs} ms must divide the 32 ms window`);
      this.refiner = new EdgeRefiner({ ...rest, blockSamples, sampleRate: SILERO_SAMPLE_RATE });
      this.frameMs = this.refiner.blockMs;
      this.engine = "silero-v5/onnxruntime+energy-edges";
    }
  }

  push(audio: PcmAudio): VoiceActivityEvent[] {
    this.converter ??= new To16kFloat(audio.sampleRate);
    if (audio.sampleRate !== this.converter.inRate)
      throw new Error("silero VAD: the sample rate changed mid-stream");
    const samples = this.converter.push(audio.samples);
    const events: VoiceActivityEvent[] = [];
    for (let i = 0; i < samples.length; i++) {
      this.window[this.filled++] = samples[i] ?? 0;
      if (this.filled === SILERO_WINDOW_SAMPLES) {
        this.filled = 0;
        this.refiner?.push(this.window);
        const p = this.model.next(this.window);
        this.recent[this.windows++ % RECENT_WINDOWS] = p;
        if (p < this.offsetThreshold) {
          if (this.refiner) {
            this.refiner.markBackground(WINDOW_MS);
            // Only the refiner's onset search asks what the background sounds like.
            this.bed.add(this.window);
          }
        }
        for (const e of this.hysteresis.next(p)) events.push(this.refine(e));
      }
    }
    return events;
  }

  /** A partial last window (< 32 ms) is dropped: the model only takes whole windows. */
  flush(): VoiceActivityEvent[] {
    this.filled = 0;
    return this.hysteresis.flush().map((e) => this.refine(e));
  }

  /**
   * The refined onset of a segment whose first speech window starts at `rawMs`. Over a quiet or
   * flat background (hiss, comfort noise) it is searched from the earliest of the unsure windows
   * just before it (at most MAX_UNSURE_WINDOWS, never into the previous segment), so a line whose
   * first word the model doubted is dated from that word. Not under talkers: the model is unsure
   * of a babble bed too, and the search found its swells (bench/voice-vad, babble 20 dB onset p95
   * 55 → 250 ms). Replays of recorded 20 dB calls, onset p95: white 43.1 → 13.0 ms (84 onsets),
   * pink 49.0 → 32.4 ms (96); bench/voice-vad unchanged.
   */
  private onsetMs(rawMs: number): number {
    if (!this.refiner) return rawMs;
    if (!this.refiner.quietBackground() && !this.bed.flat()) return this.refiner.onsetMs(rawMs);
    const first = Math.round(rawMs / WINDOW_MS);
    const earliest = Math.max(
      this.lastSegmentEndWindow,
      this.windows - RECENT_WINDOWS,
      first - MAX_UNSURE_WINDOWS,
    );
    const unsure = firstUnsureWindow((w) => this.recent[w % RECENT_WINDOWS] ?? 0, first, earliest);
    return this.refiner.onsetMs(rawMs, unsure * WINDOW_MS);
  }

  private refine(e: VoiceActivityEvent): VoiceActivityEvent {
    if (!this.refiner) return e;
    if (e.type === "speech_started") {
      this.openStart = { rawMs: e.startMs, ms: this.onsetMs(e.startMs) };
      return { type: "speech_started", startMs: this.openStart.ms };
    }
    const { startMs: rawStart, endMs: rawEnd } = e.segment;
    const startMs = this.openStart?.rawMs === rawStart ? this.openStart.ms : this.onsetMs(rawStart);
    this.openStart = undefined;
    this.lastSegmentEndWindow = Math.round(rawEnd / WINDOW_MS);
    // A refined end never precedes the refined start (a very short, quiet segment).
    const endMs = Math.max(this.refiner.offsetMs(rawEnd), startMs + this.frameMs);
    return { type: "speech_ended", segment: { startMs, endMs } };
  }
}

/**
 * The earliest window of the unbroken run of unsure windows (probability ≥ UNSURE_PROBABILITY)
 * that ends just before window `first`, going back no further than window `limit`; `first` when
 * the window before it is background.
 */
export function firstUnsureWindow(
  probabilityOf: (window: number) => number,
  first: number,
  limit: number,
): number {
  let w = first;
  while (w > limit && probabilityOf(w - 1) >= UNSURE_PROBABILITY) w--;
  return w;
}
