/**
 * Background the bot sends under and between its utterances, so the far side never hears digital
 * silence: real agents send comfort noise, room tone and other talkers. Pure and seeded — the same
 * options give the same samples — so a call's sent stream can be rebuilt and its level is exact.
 *
 * Level: the bed's RMS (over its whole loop) is `snrDb` below the speech's *active level*: the RMS
 * over the 10 ms frames of the bot's lines that are no more than 40 dB below their loudest frame
 * (pauses between words and fades do not dilute it; a simplified ITU-T P.56 active speech level).
 */
import { mulberry32 } from "./latency-plan.ts";

export type NoiseKind = "white" | "pink" | "babble";
export const NOISE_KINDS: readonly NoiseKind[] = ["white", "pink", "babble"];

export interface NoiseBedOptions {
  /** white: flat spectrum; pink: −3 dB/octave; babble: six synthetic talkers in a room. */
  kind: NoiseKind;
  /** Speech active level over bed RMS, dB (e.g. 30, 20, 10). */
  snrDb: number;
  /** PRNG seed; default 1. */
  seed?: number;
}

/** The bed loops with this period; its start and end are cross-faded so the loop has no seam. */
export const NOISE_LOOP_SECONDS = 20;
const CROSSFADE_SECONDS = 0.05;
const ACTIVE_FRAME_MS = 10;
const ACTIVE_RANGE_DB = 40;

export function checkNoiseBedOptions(o: NoiseBedOptions): void {
  if (!NOISE_KINDS.includes(o.kind))
    throw new Error(
      `reference bot: noiseBed.kind ${JSON.stringify(o.kind)} must be one of ${NOISE_KINDS.join(", ")}`,
    );
  if (!(Number.isFinite(o.snrDb) && o.snrDb >= -10 && o.snrDb <= 80))
    throw new Error(`reference bot: noiseBed.snrDb ${o.snrDb} must be a number of dB in -10..80 (e.g. 20)`);
  if (o.seed !== undefined && !Number.isInteger(o.seed))
    throw new Error(`reference bot: noiseBed.seed ${o.seed} must be an integer`);
}

/** Active speech level (linear RMS, int16 units) of the given speech, as defined above. */
export function activeSpeechLevel(speech: readonly Int16Array[], sampleRate: number): number {
  const frame = Math.round((sampleRate * ACTIVE_FRAME_MS) / 1000);
  const energies: number[] = [];
  for (const s of speech) {
    for (let at = 0; at + frame <= s.length; at += frame) {
      let sum = 0;
      for (let i = at; i < at + frame; i++) sum += (s[i] ?? 0) ** 2;
      energies.push(sum / frame);
    }
  }
  const loudest = Math.max(0, ...energies);
  if (loudest === 0) throw new Error("noise bed: the speech is silent; no level to set the bed against");
  const active = energies.filter((e) => e >= loudest * 10 ** (-ACTIVE_RANGE_DB / 10));
  return Math.sqrt(active.reduce((a, b) => a + b, 0) / active.length);
}

/** One loop of the bed, int16, its RMS `snrDb` below `speechLevel`. */
export function createNoiseBed(
  options: NoiseBedOptions,
  speechLevel: number,
  sampleRate: number,
): Int16Array {
  checkNoiseBedOptions(options);
  const length = NOISE_LOOP_SECONDS * sampleRate;
  const fade = Math.round(CROSSFADE_SECONDS * sampleRate);
  const random = mulberry32(options.seed ?? 1);
  const raw =
    options.kind === "white"
      ? whiteNoise(random, length + fade)
      : options.kind === "pink"
        ? pinkNoise(random, length + fade)
        : babble(random, length + fade, sampleRate);
  // Seamless loop: the head is cross-faded (equal power) with what follows the loop's end.
  for (let i = 0; i < fade; i++) {
    const w = (i + 0.5) / fade;
    raw[i] =
      (raw[i] ?? 0) * Math.sin((w * Math.PI) / 2) + (raw[length + i] ?? 0) * Math.cos((w * Math.PI) / 2);
  }
  let sum = 0;
  for (let i = 0; i < length; i++) sum += (raw[i] ?? 0) ** 2;
  const gain = speechLevel / 10 ** (options.snrDb / 20) / Math.sqrt(sum / length);
  const out = new Int16Array(length);
  for (let i = 0; i < length; i++)
    out[i] = Math.max(-32768, Math.min(32767, Math.round((raw[i] ?? 0) * gain)));
  return out;
}

/** Root mean square of int16 samples. */
export function rms(samples: Int16Array): number {
  let sum = 0;
  for (const s of samples) sum += s * s;
  return Math.sqrt(sum / Math.max(1, samples.length));
}

type Random = () => number;

/** Standard normal (Box–Muller). */
function gaussian(random: Random): number {
  const u = 1 - random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function whiteNoise(random: Random, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = gaussian(random);
  return out;
}

/** Paul Kellet's refined pink filter over white noise (−3 dB/octave within ±0.05 dB above ~10 Hz). */
function pinkNoise(random: Random, n: number): Float64Array {
  const out = new Float64Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  for (let i = 0; i < n; i++) {
    const w = gaussian(random);
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
  }
  return out;
}

const TALKERS = 6;

/**
 * Recorded-style babble: six synthetic talkers at different distances. Each talker is a voiced
 * source (a pulse train at its own drifting pitch, 95–230 Hz) plus breath noise, shaped by two
 * formant resonators that jump to a new vowel every syllable (120–260 ms, raised-cosine envelope),
 * with pauses between phrases — so the sum has the spectrum and the 3–5 Hz syllabic modulation of a
 * room of people talking, with no intelligible words.
 */
function babble(random: Random, n: number, sampleRate: number): Float64Array {
  const out = new Float64Array(n);
  for (let t = 0; t < TALKERS; t++) {
    const talker = talkerTrack(random, n, sampleRate);
    const gain = 10 ** ((random() * 8 - 4) / 20);
    for (let i = 0; i < n; i++) out[i] = (out[i] ?? 0) + (talker[i] ?? 0) * gain;
  }
  return out;
}

/** F1/F2 of a few vowels, Hz. */
const VOWELS: readonly [number, number][] = [
  [730, 1090],
  [530, 1840],
  [270, 2290],
  [570, 840],
  [300, 870],
  [660, 1720],
  [440, 1020],
];

function talkerTrack(random: Random, n: number, sampleRate: number): Float64Array {
  const out = new Float64Array(n);
  const baseF0 = 95 + random() * 135;
  const f1 = new Resonator(sampleRate, 80);
  const f2 = new Resonator(sampleRate, 120);
  let phase = random();
  let at = Math.floor(random() * sampleRate * 0.5);
  let syllablesLeft = 3 + Math.floor(random() * 10);
  while (at < n) {
    const length = Math.round((0.12 + random() * 0.14) * sampleRate);
    const vowel = VOWELS[Math.floor(random() * VOWELS.length)] ?? [500, 1500];
    f1.tune(vowel[0]);
    f2.tune(vowel[1]);
    const f0 = baseF0 * (0.85 + random() * 0.3);
    for (let k = 0; k < length && at + k < n; k++) {
      phase += f0 / sampleRate;
      const pulse = phase >= 1 ? 1 : 0;
      if (phase >= 1) phase -= 1;
      const source = pulse * 4 + gaussian(random) * 0.08;
      const shaped = f1.next(source) + 0.5 * f2.next(source);
      const envelope = 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / length);
      out[at + k] = shaped * envelope;
    }
    at += length + Math.round((0.02 + random() * 0.08) * sampleRate);
    if (--syllablesLeft === 0) {
      at += Math.round((0.25 + random() * 0.6) * sampleRate);
      syllablesLeft = 3 + Math.floor(random() * 10);
    }
  }
  return out;
}

/** Two-pole resonator (a formant) of fixed bandwidth, retunable without resetting its state. */
class Resonator {
  private a1 = 0;
  private a2 = 0;
  private gain = 0;
  private y1 = 0;
  private y2 = 0;

  constructor(
    private readonly sampleRate: number,
    private readonly bandwidthHz: number,
  ) {}

  tune(frequencyHz: number): void {
    const r = Math.exp((-Math.PI * this.bandwidthHz) / this.sampleRate);
    this.a1 = 2 * r * Math.cos((2 * Math.PI * frequencyHz) / this.sampleRate);
    this.a2 = -r * r;
    this.gain = 1 - r;
  }

  next(x: number): number {
    const y = this.gain * x + this.a1 * this.y1 + this.a2 * this.y2;
    this.y2 = this.y1;
    this.y1 = y;
    return y;
  }
}
