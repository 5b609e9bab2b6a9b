/**
 * DTMF both ways a phone agent may listen for: the SIP DTMF event (RFC 4733 event code, sent
 * as a LiveKit SIP DTMF data packet) and in-band dual tones on the caller's audio.
 */

const ROWS_HZ = [697, 770, 852, 941] as const;
const COLUMNS_HZ = [1209, 1336, 1477, 1633] as const;
/** Keypad layout: row × column → digit. */
const KEYPAD = ["123A", "456B", "789C", "*0#D"] as const;

/** RFC 4733 event code of a digit: 0-9 → 0-9, `*` → 10, `#` → 11, A-D → 12-15. */
export function dtmfEventCode(digit: string): number {
  if (/^[0-9]$/.test(digit)) return Number(digit);
  const code = { "*": 10, "#": 11, A: 12, B: 13, C: 14, D: 15 }[digit];
  if (code === undefined) throw new RangeError(`invalid DTMF digit "${digit}": use 0-9, *, # or A-D`);
  return code;
}

/** The two frequencies (low row, high column) of a digit. */
export function dtmfFrequencies(digit: string): { lowHz: number; highHz: number } {
  for (let r = 0; r < KEYPAD.length; r++) {
    const c = KEYPAD[r]?.indexOf(digit) ?? -1;
    if (c >= 0 && digit.length === 1) return { lowHz: ROWS_HZ[r] ?? 0, highHz: COLUMNS_HZ[c] ?? 0 };
  }
  throw new RangeError(`invalid DTMF digit "${digit}": use 0-9, *, # or A-D`);
}

export interface DtmfToneOptions {
  sampleRate: number;
  /** Tone length per digit (ITU-T Q.24 wants ≥ 40 ms; 100 ms is the common default). */
  toneMs?: number;
  /** Silence after each digit. */
  gapMs?: number;
  /** Peak of each of the two sines, 0..1 of full scale (two at 0.35 stay below clipping). */
  amplitude?: number;
}

/** In-band tones for `digits`: each digit's dual tone followed by a gap, as one mono clip. */
export function dtmfTones(digits: string, options: DtmfToneOptions): Int16Array {
  const { sampleRate } = options;
  const toneSamples = Math.round(((options.toneMs ?? 100) * sampleRate) / 1000);
  const gapSamples = Math.round(((options.gapMs ?? 100) * sampleRate) / 1000);
  const peak = (options.amplitude ?? 0.35) * 32767;
  const out = new Int16Array(digits.length * (toneSamples + gapSamples));
  [...digits].forEach((digit, d) => {
    const { lowHz, highHz } = dtmfFrequencies(digit);
    const at = d * (toneSamples + gapSamples);
    for (let i = 0; i < toneSamples; i++) {
      const t = i / sampleRate;
      out[at + i] = Math.round(
        peak * (Math.sin(2 * Math.PI * lowHz * t) + Math.sin(2 * Math.PI * highHz * t)),
      );
    }
  });
  return out;
}
