import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { PcmAudio } from "../media/audio/pcm.ts";
import { StreamingResampler } from "../media/audio/resampler.ts";
import { encodeWav } from "../media/audio/wav.ts";
import type { Clock } from "../media/clock.ts";

export type RecordedRole = "user" | "agent";

export interface RecorderOptions {
  clock: Clock;
  /** Rate of every file written (LiveKit frames are 48 kHz). */
  sampleRate?: number;
  /** A chunk stamped within this of where the track's audio ends continues it seamlessly (clock jitter). */
  jitterToleranceMs?: number;
  /** Refuse audio past this length so a stuck call cannot fill memory (default 2 h). */
  maxDurationMs?: number;
}

interface Track {
  identity: string;
  role: RecordedRole;
  chunks: Int16Array[];
  length: number;
  resampler?: StreamingResampler;
}

export interface WrittenRecording {
  sampleRateHz: number;
  stereoPath: string;
  participants: { identity: string; role: RecordedRole; path: string }[];
  durationMs: number;
}

/**
 * Records a call on one clock: every chunk is placed at its clock time relative to the recording
 * start, so caller and agent stay sample-aligned. Consecutive chunks within the jitter tolerance
 * are appended back to back (sample counting, not clock reading, keeps the timeline exact); a
 * later chunk leaves silence for the gap; an early one (clock jitter) is appended, never overlapped.
 */
export class CallRecorder {
  readonly sampleRate: number;
  private readonly startMs: number;
  private readonly tracks = new Map<string, Track>();
  private readonly toleranceSamples: number;
  private readonly maxSamples: number;

  constructor(private readonly options: RecorderOptions) {
    this.sampleRate = options.sampleRate ?? 48_000;
    if (!(Number.isInteger(this.sampleRate) && this.sampleRate > 0))
      throw new Error("recorder: bad sample rate");
    this.startMs = options.clock.now();
    this.toleranceSamples = Math.round(((options.jitterToleranceMs ?? 20) * this.sampleRate) / 1000);
    this.maxSamples = Math.round(((options.maxDurationMs ?? 7_200_000) * this.sampleRate) / 1000);
  }

  /** Clock ms of sample 0 in every file. */
  get startedAtMs(): number {
    return this.startMs;
  }

  addParticipant(identity: string, role: RecordedRole): void {
    if (this.tracks.has(identity)) throw new Error(`recorder: ${identity} is already recorded`);
    if ([...this.tracks.values()].some((t) => t.role === role)) {
      throw new Error(`recorder: a ${role} track is already recorded (one per side of the stereo file)`);
    }
    this.tracks.set(identity, { identity, role, chunks: [], length: 0 });
  }

  /**
   * Records `audio` whose first sample played (or arrived) at `atMs` on the clock; defaults to now.
   * Returns the clock ms at which the chunk was placed, the timeline the analysis uses.
   */
  write(identity: string, audio: PcmAudio, atMs: number = this.options.clock.now()): number {
    const track = this.tracks.get(identity);
    if (!track) throw new Error(`recorder: unknown participant ${identity}; call addParticipant first`);
    let samples = audio.samples;
    if (audio.sampleRate !== this.sampleRate) {
      track.resampler ??= new StreamingResampler(audio.sampleRate, this.sampleRate);
      if (track.resampler.inRate !== audio.sampleRate)
        throw new Error("recorder: the sample rate changed mid-stream");
      samples = track.resampler.push(samples);
    }
    const wanted = Math.round(((atMs - this.startMs) * this.sampleRate) / 1000);
    if (wanted - track.length > this.toleranceSamples)
      this.append(track, new Int16Array(wanted - track.length));
    const placedAt = track.length;
    this.append(track, samples);
    return this.startMs + (placedAt * 1000) / this.sampleRate;
  }

  /** Length of the longest track so far. */
  durationMs(): number {
    let max = 0;
    for (const t of this.tracks.values()) max = Math.max(max, t.length);
    return (max * 1000) / this.sampleRate;
  }

  /** Stereo (caller left, agent right) plus one mono file per participant, all the same length. */
  mix(): { stereo: Int16Array; perParticipant: Map<string, Int16Array> } {
    let frames = 0;
    for (const t of this.tracks.values()) frames = Math.max(frames, t.length);
    const perParticipant = new Map<string, Int16Array>();
    const stereo = new Int16Array(frames * 2);
    for (const t of this.tracks.values()) {
      const mono = new Int16Array(frames);
      let at = 0;
      for (const c of t.chunks) {
        mono.set(c, at);
        at += c.length;
      }
      perParticipant.set(t.identity, mono);
      const channel = t.role === "user" ? 0 : 1;
      for (let i = 0; i < frames; i++) stereo[i * 2 + channel] = mono[i] ?? 0;
    }
    return { stereo, perParticipant };
  }

  async writeFiles(dir: string, baseName = "call"): Promise<WrittenRecording> {
    await mkdir(dir, { recursive: true });
    const { stereo, perParticipant } = this.mix();
    const stereoPath = join(dir, `${baseName}.stereo.wav`);
    await writeFile(stereoPath, encodeWav({ sampleRate: this.sampleRate, channels: 2, samples: stereo }));
    const participants: WrittenRecording["participants"] = [];
    for (const t of this.tracks.values()) {
      const safe = t.identity.replace(/[^A-Za-z0-9_.-]/g, "_");
      const path = join(dir, `${baseName}.${t.role}.${safe}.wav`);
      const mono = perParticipant.get(t.identity) ?? new Int16Array();
      await writeFile(path, encodeWav({ sampleRate: this.sampleRate, channels: 1, samples: mono }));
      participants.push({ identity: t.identity, role: t.role, path });
    }
    return {
      sampleRateHz: this.sampleRate,
      stereoPath,
      participants,
      durationMs: (stereo.length / 2 / this.sampleRate) * 1000,
    };
  }

  private append(track: Track, samples: Int16Array): void {
    if (track.length + samples.length > this.maxSamples) {
      throw new Error(`recorder: ${track.identity} passed the maximum recording length`);
    }
    track.chunks.push(samples);
    track.length += samples.length;
  }
}
