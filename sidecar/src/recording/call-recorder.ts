import { mkdir, open, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import type { PcmAudio } from "../media/audio/pcm.ts";
import { StreamingResampler } from "../media/audio/resampler.ts";
import { pcmBytes, wavHeader } from "../media/audio/wav.ts";
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

  /**
   * Writes the stereo file (caller left, agent right) and one mono file per participant, all the
   * same length, a slice at a time (`SLICE_MS`): the event loop runs between slices.
   */
  async writeFiles(dir: string, baseName = "call"): Promise<WrittenRecording> {
    await mkdir(dir, { recursive: true });
    let frames = 0;
    for (const t of this.tracks.values()) frames = Math.max(frames, t.length);
    const sliceFrames = Math.max(1, Math.round((SLICE_MS * this.sampleRate) / 1000));
    const byRole = (role: RecordedRole) => [...this.tracks.values()].find((t) => t.role === role);
    const left = new TrackReader(byRole("user"));
    const right = new TrackReader(byRole("agent"));
    const stereoPath = join(dir, `${baseName}.stereo.wav`);
    await writeWavFile(stereoPath, this.sampleRate, 2, frames, sliceFrames, (n) => {
      const l = left.read(n);
      const r = right.read(n);
      const out = new Int16Array(n * 2);
      for (let i = 0; i < n; i++) {
        out[i * 2] = l[i] ?? 0;
        out[i * 2 + 1] = r[i] ?? 0;
      }
      return out;
    });
    const participants: WrittenRecording["participants"] = [];
    for (const t of this.tracks.values()) {
      const safe = t.identity.replace(/[^A-Za-z0-9_.-]/g, "_");
      const path = join(dir, `${baseName}.${t.role}.${safe}.wav`);
      const reader = new TrackReader(t);
      await writeWavFile(path, this.sampleRate, 1, frames, sliceFrames, (n) => reader.read(n));
      participants.push({ identity: t.identity, role: t.role, path });
    }
    return {
      sampleRateHz: this.sampleRate,
      stereoPath,
      participants,
      durationMs: (frames * 1000) / this.sampleRate,
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

/**
 * Audio written per slice. In one piece — mix both tracks, then encode — a 100 s call's files
 * held the event loop, which paces every concurrent call's microphone, for 51 ms; in slices,
 * 2.6 ms (bench/recording).
 */
const SLICE_MS = 1_000;

/** A track's samples in order, a slice at a time; past its end (or with no track), silence. */
class TrackReader {
  private chunk = 0;
  private offset = 0;

  constructor(private readonly track: Track | undefined) {}

  read(count: number): Int16Array {
    const out = new Int16Array(count);
    const chunks = this.track?.chunks ?? [];
    let filled = 0;
    while (filled < count && this.chunk < chunks.length) {
      const c = chunks[this.chunk] ?? new Int16Array();
      const take = Math.min(count - filled, c.length - this.offset);
      out.set(c.subarray(this.offset, this.offset + take), filled);
      filled += take;
      this.offset += take;
      if (this.offset === c.length) {
        this.chunk++;
        this.offset = 0;
      }
    }
    return out;
  }
}

/**
 * Writes a WAV of `frames` frames from `slice(n)` (the next n frames, interleaved), under a
 * temporary name renamed into place at the end: a file at `path` is always whole.
 */
async function writeWavFile(
  path: string,
  sampleRate: number,
  channels: number,
  frames: number,
  sliceFrames: number,
  slice: (frames: number) => Int16Array,
): Promise<void> {
  const partial = `${path}.partial`;
  try {
    const file = await open(partial, "w");
    try {
      await file.write(wavHeader(sampleRate, channels, frames * channels));
      for (let at = 0; at < frames; at += sliceFrames)
        await file.write(pcmBytes(slice(Math.min(sliceFrames, frames - at))));
    } finally {
      await file.close();
    }
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
}
