import type { PcmAudio } from "../audio/pcm.ts";
import { type SpeechSegment, speechSegments, type VoiceActivity } from "./voice-activity.ts";

/** Feeds a whole track to a VAD in chunks of `chunkMs` (LiveKit delivers 10 ms frames) and returns its segments. */
export function runVad(vad: VoiceActivity, audio: PcmAudio, chunkMs = 10): SpeechSegment[] {
  const step = Math.round((audio.sampleRate * chunkMs) / 1000);
  const events = [];
  for (let at = 0; at < audio.samples.length; at += step) {
    events.push(
      ...vad.push({ samples: audio.samples.subarray(at, at + step), sampleRate: audio.sampleRate }),
    );
  }
  events.push(...vad.flush());
  return speechSegments(events);
}

export interface TimingErrors {
  /** detected − true, per matched segment (positive = late). */
  onsetErrorsMs: number[];
  offsetErrorsMs: number[];
  /** True segments no detection overlapped. */
  missed: number;
  /** Detections overlapping no true segment, or a second detection on one true segment (a split). */
  invented: number;
}

/** Matches each true segment to the first detection that overlaps it and measures the edges. */
export function measureTiming(
  truth: readonly SpeechSegment[],
  detected: readonly SpeechSegment[],
): TimingErrors {
  const used = new Set<number>();
  const result: TimingErrors = { onsetErrorsMs: [], offsetErrorsMs: [], missed: 0, invented: 0 };
  for (const t of truth) {
    const i = detected.findIndex((d, k) => !used.has(k) && d.startMs < t.endMs && d.endMs > t.startMs);
    const d = detected[i];
    if (!d) {
      result.missed++;
      continue;
    }
    used.add(i);
    result.onsetErrorsMs.push(d.startMs - t.startMs);
    result.offsetErrorsMs.push(d.endMs - t.endMs);
  }
  result.invented = detected.length - used.size;
  return result;
}
