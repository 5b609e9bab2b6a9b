import type { PcmAudio } from "../audio/pcm.ts";
import { NoiseFloor, type OpeningBed } from "./noise-floor.ts";
import { SpectralFlatness } from "./spectral-flatness.ts";
import { DEFAULT_SPECTRAL_ONSET, SpectralOnset } from "./spectral-onset.ts";
import { SpeechHysteresis } from "./speech-hysteresis.ts";
import {
  DEFAULT_HYSTERESIS,
  type HysteresisSettings,
  type VoiceActivity,
  type VoiceActivityEvent,
} from "./voice-activity.ts";
import { WindowCount } from "./window-count.ts";

export interface EnergyVadOptions {
  frameMs?: number;
  hysteresis?: HysteresisSettings;
  /** How far back the noise floor looks (its minimum frame energy). */
  noiseWindowMs?: number;
}

/** Frames quieter than this are silence whatever the floor (a digital-silence floor would make hiss "speech"). */
const ABSOLUTE_GATE_DBFS = -55;
/** Until this much audio is seen, the floor is at most this loud (a track may open mid-word)... */
const WARMUP_FRAMES = 30;
const WARMUP_FLOOR_DBFS = -50;
/**
 * ...if the stream's first `BED_WINDOW_MS` of sound reach this level: a talker in front of the
 * microphone. The same holds for the first sound after an opening silence (`FIRST_SOUND_MS`).
 * Quieter, the first sound is as likely a bed of talkers. Capped, 5 of 16 babble beds at 20 dB SNR
 * (the reference bot's, seeds 1–16) read 10–550 ms of a track they opened as speech, and one that
 * followed 150 ms under the gate read 0.5–7.3 s: at a call's start, an agent turn that was never
 * spoken, and an invented user interruption when the caller speaks into it. Measured on the
 * reference bot (lines at −20.7 dBFS active level): the loudest 10 ms frame of the first 200 ms of
 * those beds, from 6 points in each of 40 seeds, is −49.8 to −31.1 dBFS; of its lines opened at
 * every 50 ms (366 openings), −36.6 to −7 dBFS, 5 % under −22.3. The price: a first sound quieter
 * than this is judged against its own floor. A track that opens mid-word is heard from its first dip
 * between words; a first line after an opening silence spoken 15 dB under the reference bot (active
 * level −36 dBFS) can be cut short or missed (energy-voice-activity.test.ts).
 */
const TALKER_IN_FRONT_DBFS = -30;
/**
 * At least this much audio under the gate within the noise window: the stream sends digital silence
 * between sounds, not noise (a receiver gap of ~100 ms in a noisy stream stays under it).
 */
const DIGITAL_SILENCE_MIN_MS = 300;
/**
 * ...and the stream has shown, within this long, one unbroken run of that length under the gate:
 * the silence between an agent's lines. A quiet bed dips under the gate too — babble at 30 dB SNR,
 * near −50 dBFS, has 17–19 % of its frames under it through Opus, in dips of at most 200 ms
 * (two recorded calls) — and without this it read as a digitally silent stream whose every frame
 * was speech: its calls never ended. The memory outlasts the 5 s window, so a line longer than
 * the window, whose pauses through Opus dip under the gate only briefly, keeps its judgement.
 */
const SILENT_RUN_MEMORY_MS = 30_000;
/**
 * ...unless at least this much of the noise window was read as a bed (sound judged background
 * against a noise floor, and either noise-flat, `BED_LN_FLATNESS`, or outside a speech segment):
 * such a stream carries noise, and its stretch under the gate is a seam (an ambience loop's, a bed
 * paused, six synthetic talkers pausing at once), not the silence between lines. Judged digitally
 * silent, a pink or white bed at 20 dB that paused for 400 ms was read as speech from where it
 * resumed for up to 5 s (the noise window), and so was a babble bed after 320 ms of zeros (a 20 dB
 * call, seed 21: its first line dated 1.75 s early, an interruption of the caller invented). Not any
 * background inside a segment: a line longer than the window is judged against a floor of its own
 * quiet frames, read as background too, and counted they made the lines after a 20 s one judged
 * against that floor (one missed).
 */
const BED_READ_MIN_MS = 1_000;
/**
 * Once this much of the noise window was read as a bed, a swinging bed's floor is held near its
 * median (noise-floor.ts, `bedShown`). At 1 s a babble swell 1.1 s into the bed was speech; at
 * 0.5 s the long clean run (a line past the 5 s window) lost 0.8 s more of one fragment.
 */
const BED_SHOWN_MS = 500;
/**
 * How much of the stream's first sound is its opening for the noise floor (noise-floor.ts,
 * `OpeningBed`): lifted as for babble, unless the bed test heard steady noise (which is not babble
 * and needs no lift), then judged from its median.
 */
const OPENING_BED_MS = 1_000;
/**
 * How long the stream must stay under the gate before its first sound to have opened silent: a
 * bed's first frame can be quiet (a babble bed replayed from 5 ms later opened on one frame under
 * the gate, took it for an opening silence, capped its floor for 3 s and read 5.8 s of the bed as
 * the agent's first line).
 */
const OPENING_SILENCE_MIN_MS = 50;
/** How long sound after an opening digital silence is judged against the gate alone. */
const OPENING_MS = 90;
/**
 * After an opening digital silence, how long the floor stays capped as in the warm-up: until the
 * stream has shown what it sends between sounds, the only frames in the history are the first
 * sound's own, and a steady first sound (a sustained vowel, a tone) would become its own floor and
 * end after the warm-up (an observed human's first 1 s line read as 300 ms).
 */
const FIRST_SOUND_MS = 3_000;
/**
 * While the floor is capped (warm-up, first sound), sound whose mean ln spectral flatness over the
 * last `BED_WINDOW_MS` is over this is a noise bed and lifts the cap: beds read −0.5 (white) to
 * −1.4 (pink through Opus), speech −3 or lower even at its most fricative, a tone −17
 * (spectral-flatness.ts). Without it a bed louder than about −41 dBFS that opens a track read as
 * up to 3 s of speech.
 */
const BED_LN_FLATNESS = -2;
/** How much sound the bed test averages; the first sound's events wait this long for its answer. */
const BED_WINDOW_MS = 200;
/** The floor of a digitally silent stream: every frame over the gate is sound. */
const DIGITAL_SILENCE_DBFS = -120;

/** The band where fricatives and bursts (s, sh, f, t, h) carry their energy. */
const SIBILANT_BAND_HZ = 3_500;
const SIBILANT_BAND_Q = 0.8;

/**
 * Fallback VAD with no model: frame energy against a sliding noise floor (the minimum frame
 * energy over the last few seconds). SNR maps linearly to a pseudo-probability so the same
 * hysteresis as Silero applies: 10.5 dB SNR = 0.5 (onset), 8.25 dB = 0.35 (offset).
 * Two bands, each with its own floor, the louder SNR wins: the whole signal, and a 2–6 kHz band.
 * Words that open on a fricative ("sure", "sorry", "here") are 20–30 dB below their vowels and sink
 * under a noise bed in the full band, but stand out in 2–6 kHz, where pink noise, babble and hum
 * are weak. Frames under the absolute gate are silence and never enter the floor's history: a
 * gap of digital zeros in a noisy stream (track start, a receiver gap) would otherwise hold the
 * floor at digital silence for seconds and make the noise "speech".
 * Level decides *that* speech started or ended; in a noisy stream *when* is then dated by the
 * spectrum (spectral-onset.ts): a start moves back to where the frames begin to diverge from the
 * bed's spectrum (a first consonant under the bed's level), an end held open by a swing of the bed
 * moves back to where they stopped. A digitally silent stream keeps its level edges, which are exact.
 */
export class EnergyVoiceActivity implements VoiceActivity {
  readonly engine = "energy";
  readonly frameMs: number;
  private readonly hysteresis: SpeechHysteresis;
  private readonly floor: NoiseFloor;
  private readonly bandFloor: NoiseFloor;
  /** Frames of the noise window under the absolute gate. */
  private readonly gatedFrames: WindowCount;
  /** Frames of the noise window read as the bed. */
  private readonly bedReadFrames: WindowCount;
  /** Frames in the run under the gate now in progress, and frames since a run reached the minimum. */
  private gatedRun = 0;
  private sinceSilentRun = Number.POSITIVE_INFINITY;
  /** Frames under the gate before the stream's first sound; the stream opened silent if enough. */
  private openingSilentFrames = 0;
  private openedSilent = false;
  private readonly historyFrames: number;
  private sampleRate: number | undefined;
  private band: BandPass | undefined;
  private pending: number[] = [];
  private seen = 0;
  private readonly settings: HysteresisSettings;
  private spectral: SpectralOnset | undefined;
  /** The last frame was judged against a noise floor, not digital silence. */
  private noisy = false;
  /** The start of the segment in progress, as reported. */
  private openStartMs: number | undefined;
  private flatness: SpectralFlatness | undefined;
  /** Sound frames seen by the bed test, and the ln flatness of the last `bedWindowFrames` of them. */
  private soundFramesWatched = 0;
  private readonly recentFlatness: number[] = [];
  /** A noise bed was heard while the floor was capped: the cap no longer applies. */
  private bedHeard = false;
  /** The stream's first frames of sound, held until the bed test can answer for them. */
  private held: number[][] | undefined;
  /** The loudest frame (dBFS) of the held frames. */
  private openingPeakDb = Number.NEGATIVE_INFINITY;
  private readonly bedWindowFrames: number;

  constructor(options: EnergyVadOptions = {}) {
    this.frameMs = options.frameMs ?? 10;
    if (!(this.frameMs >= 5 && this.frameMs <= 32))
      throw new Error(`energy VAD: frameMs ${this.frameMs} outside 5..32`);
    this.settings = options.hysteresis ?? DEFAULT_HYSTERESIS;
    this.hysteresis = new SpeechHysteresis(this.frameMs, this.settings);
    this.historyFrames = Math.round((options.noiseWindowMs ?? 5_000) / this.frameMs);
    this.gatedFrames = new WindowCount(this.historyFrames);
    this.bedReadFrames = new WindowCount(this.historyFrames);
    this.floor = new NoiseFloor(this.historyFrames);
    this.bandFloor = new NoiseFloor(this.historyFrames);
    this.bedWindowFrames = Math.round(BED_WINDOW_MS / this.frameMs);
  }

  push(audio: PcmAudio): VoiceActivityEvent[] {
    this.sampleRate ??= audio.sampleRate;
    this.band ??= new BandPass(
      audio.sampleRate,
      Math.min(SIBILANT_BAND_HZ, audio.sampleRate / 4),
      SIBILANT_BAND_Q,
    );
    if (audio.sampleRate !== this.sampleRate)
      throw new Error("energy VAD: the sample rate changed mid-stream");
    const frameSamples = (this.sampleRate * this.frameMs) / 1000;
    if (!Number.isInteger(frameSamples)) {
      throw new Error(
        `energy VAD: ${this.frameMs} ms is not a whole number of samples at ${this.sampleRate} Hz`,
      );
    }
    this.spectral ??= new SpectralOnset({
      ...DEFAULT_SPECTRAL_ONSET,
      sampleRate: this.sampleRate,
      frameSamples,
    });
    this.flatness ??= new SpectralFlatness(this.sampleRate, frameSamples);
    const events: VoiceActivityEvent[] = [];
    for (const s of audio.samples) {
      this.pending.push(s);
      if (this.pending.length === frameSamples) {
        this.accept(this.pending, events);
        this.pending = [];
      }
    }
    return events;
  }

  flush(): VoiceActivityEvent[] {
    this.pending = [];
    const events = this.release();
    return [...events, ...this.backdated(this.hysteresis.flush())];
  }

  /**
   * Runs the bed test on the frame, then judges it — except the stream's first `BED_WINDOW_MS` of
   * sound, held and judged together once the test has seen them: a bed must not be judged against
   * the capped floor before it is known to be one. Their events come that much later, dated alike.
   */
  private accept(frame: number[], events: VoiceActivityEvent[]): void {
    const level = frameDbfs(frame);
    const sound = level >= ABSOLUTE_GATE_DBFS;
    if (sound) this.listenForBed(frame);
    if (this.held === undefined && sound && this.soundFramesWatched === 1) this.held = [];
    if (this.held === undefined) {
      this.judge(frame, events);
      return;
    }
    this.held.push(frame);
    this.openingPeakDb = Math.max(this.openingPeakDb, level);
    if (this.held.length >= this.bedWindowFrames) events.push(...this.release());
  }

  private release(): VoiceActivityEvent[] {
    const held = this.held ?? [];
    this.held = undefined;
    const events: VoiceActivityEvent[] = [];
    for (const frame of held) this.judge(frame, events);
    return events;
  }

  private judge(frame: readonly number[], events: VoiceActivityEvent[]): void {
    const { probability, bed, gated } = this.probability(frame);
    // A frame under the gate is a seam (spectral-onset.ts): learned as the bed, its −120 dB
    // divergence swung the bed's deviation to 14–40 dB, and soft openings were never walked back
    // (babble at 20 dB: +24–62 ms).
    if (!this.noisy) this.spectral?.skip();
    else if (gated) this.spectral?.pushSeam(frame);
    else this.spectral?.push(frame, bed);
    // Any background outside speech counts as a bed read (babble is not flat), and inside a segment
    // noise does; a long line's own quiet frames, inside its segment and not flat, do not. The
    // flatness is asked only then: it is a pass over the spectrum, every frame of a line.
    this.bedReadFrames.push(
      bed &&
        (!this.hysteresis.speaking || (this.spectral?.lastLnFlatness() ?? BED_LN_FLATNESS) > BED_LN_FLATNESS),
    );
    events.push(...this.backdated(this.hysteresis.next(probability)));
  }

  /** The bed test, over the first `FIRST_SOUND_MS` of sound (the floor is never capped after it). */
  private listenForBed(frame: readonly number[]): void {
    if (this.bedHeard || this.soundFramesWatched * this.frameMs >= FIRST_SOUND_MS) return;
    this.soundFramesWatched++;
    this.recentFlatness.push(this.flatness?.lnFlatness(frame) ?? 0);
    if (this.recentFlatness.length > this.bedWindowFrames) this.recentFlatness.shift();
    if (this.recentFlatness.length < this.bedWindowFrames) return;
    const mean = this.recentFlatness.reduce((a, b) => a + b, 0) / this.recentFlatness.length;
    this.bedHeard = mean > BED_LN_FLATNESS;
  }

  /**
   * In a noisy stream, each start is moved back to the spectral change point (spectral-onset.ts)
   * and the segment that ends keeps that start; on a digitally silent stream level is exact.
   */
  private backdated(events: VoiceActivityEvent[]): VoiceActivityEvent[] {
    return events.map((e) => {
      if (e.type === "speech_started") {
        const frame = Math.round(e.startMs / this.frameMs);
        this.openStartMs =
          this.noisy && this.spectral?.trusted() ? this.spectral.onsetMs(frame) : frame * this.frameMs;
        return { type: "speech_started", startMs: this.openStartMs };
      }
      const startMs = this.openStartMs ?? e.segment.startMs;
      this.openStartMs = undefined;
      const frame = Math.round(e.segment.endMs / this.frameMs);
      const startFrame = Math.round(startMs / this.frameMs);
      const end =
        this.noisy && this.spectral?.trusted()
          ? Math.max(startFrame + 1, this.spectral.offsetFrame(frame))
          : frame;
      return { type: "speech_ended", segment: { startMs, endMs: end * this.frameMs } };
    });
  }

  /** The frame's speech probability, and whether it was judged background against a noise floor. */
  private probability(frame: readonly number[]): { probability: number; bed: boolean; gated: boolean } {
    let sum = 0;
    let bandSum = 0;
    for (const s of frame) {
      sum += s * s;
      const b = this.band?.next(s) ?? 0;
      bandSum += b * b;
    }
    const db = toDbfs(sum, frame.length);
    const gated = db < ABSOLUTE_GATE_DBFS;
    // Silence before the track's first sound says nothing about what the track sends between sounds.
    if (gated && this.seen === 0) {
      this.openedSilent = ++this.openingSilentFrames * this.frameMs >= OPENING_SILENCE_MIN_MS;
      return { probability: 0, bed: false, gated: true };
    }
    this.gatedFrames.push(gated);
    this.gatedRun = gated ? this.gatedRun + 1 : 0;
    this.sinceSilentRun =
      this.gatedRun * this.frameMs >= DIGITAL_SILENCE_MIN_MS ? 0 : this.sinceSilentRun + 1;
    if (gated) return { probability: 0, bed: false, gated };
    const bandDb = Math.max(toDbfs(bandSum, frame.length), ABSOLUTE_GATE_DBFS);
    // Once a bed is heard the stream is plainly noisy: no cap, no judging against the gate alone.
    const talker = this.openingPeakDb >= TALKER_IN_FRONT_DBFS;
    const capped = !this.bedHeard && talker;
    const warm = ++this.seen <= WARMUP_FRAMES && capped;
    // Sound right after an opening digital silence: speech is as likely as noise, and a late first
    // onset is worse than a too-short false one (shorter than the minimum speech, so never reported).
    const opening = this.openedSilent && !this.bedHeard && this.seen * this.frameMs < OPENING_MS;
    const firstSound = this.openedSilent && capped && this.seen * this.frameMs < FIRST_SOUND_MS;
    const openingBed: OpeningBed | undefined =
      this.seen * this.frameMs >= OPENING_BED_MS ? undefined : this.bedHeard ? "steady" : "unknown";
    // A stream with digital silence between sounds has no noise to track: the gate is its floor.
    const bedReadMs = this.bedReadFrames.count * this.frameMs;
    const digitalSilence =
      this.gatedFrames.count * this.frameMs >= DIGITAL_SILENCE_MIN_MS &&
      this.sinceSilentRun * this.frameMs <= SILENT_RUN_MEMORY_MS &&
      bedReadMs < BED_READ_MIN_MS;
    // Judged against noise, with the first sound after an opening silence no longer in doubt.
    this.noisy = !digitalSilence && !firstSound;
    const snr = (level: number, noise: NoiseFloor) => {
      noise.add(level);
      let floor =
        digitalSilence || opening ? DIGITAL_SILENCE_DBFS : noise.level(openingBed, bedReadMs >= BED_SHOWN_MS);
      if (warm || firstSound) floor = Math.min(floor, WARMUP_FLOOR_DBFS);
      return level - floor;
    };
    const best = Math.max(snr(db, this.floor), snr(bandDb, this.bandFloor));
    const probability = Math.max(0, Math.min(1, (best - 3) / 15));
    // What the stream sends between sounds, for the floor's reading of the bed's spread.
    const bed = this.noisy && probability < this.settings.offset;
    if (bed) {
      this.floor.addBed(db);
      this.bandFloor.addBed(bandDb);
    }
    return { probability, bed, gated };
  }
}

function toDbfs(sumOfSquares: number, samples: number): number {
  return 10 * Math.log10(sumOfSquares / samples / (32768 * 32768) + 1e-12);
}

function frameDbfs(frame: readonly number[]): number {
  let sum = 0;
  for (const s of frame) sum += s * s;
  return toDbfs(sum, frame.length);
}

/** RBJ band-pass biquad (constant 0 dB peak gain). */
class BandPass {
  private readonly b0: number;
  private readonly b2: number;
  private readonly a1: number;
  private readonly a2: number;
  private x1 = 0;
  private x2 = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(sampleRate: number, centerHz: number, q: number) {
    const w = (2 * Math.PI * centerHz) / sampleRate;
    const alpha = Math.sin(w) / (2 * q);
    const a0 = 1 + alpha;
    this.b0 = alpha / a0;
    this.b2 = -alpha / a0;
    this.a1 = (-2 * Math.cos(w)) / a0;
    this.a2 = (1 - alpha) / a0;
  }

  next(x: number): number {
    const y = this.b0 * x + this.b2 * this.x2 - this.a1 * this.y1 - this.a2 * this.y2;
    this.x2 = this.x1;
    this.x1 = x;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}
