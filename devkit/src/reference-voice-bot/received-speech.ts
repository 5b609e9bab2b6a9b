/**
 * The oracle for "when did the agent's speech arrive": the bot sends exact digital silence
 * between utterances, so on the received stream speech is wherever the signal rises above the
 * codec's floor next to clearly loud audio. No VAD, no frames: sample-exact edges.
 */
export interface ReceivedSpeech {
  /** Stream sample indices of the first and last sample above the edge level. */
  firstSample: number;
  lastSample: number;
}

export interface OracleOptions {
  /** A sample at least this loud is certainly speech (−30 dBFS; the bot's TTS peaks near −6). */
  loudLevel?: number;
  /**
   * Edges walk out from the loud part to the last sample at least this loud (−54 dBFS). Opus
   * gives back exact zeros for digital silence most of the time, a few LSB otherwise (measured:
   * quiet-frame peak p99 1–33); its ringing next to speech is what this edge includes.
   */
  edgeLevel?: number;
  /** A run this long below the edge level ends the walk (word-internal dips are shorter). */
  edgeGapMs?: number;
  /** Loud parts closer than this are one utterance (flite's pauses between words are shorter). */
  mergeGapMs?: number;
  /** Loud parts shorter than this are clicks, not speech. */
  minLoudMs?: number;
}

const DEFAULTS: Required<OracleOptions> = {
  loudLevel: 1_000,
  edgeLevel: 64,
  edgeGapMs: 5,
  mergeGapMs: 350,
  minLoudMs: 20,
};

export function findReceivedSpeech(
  samples: Int16Array,
  sampleRate: number,
  options: OracleOptions = {},
): ReceivedSpeech[] {
  const o = { ...DEFAULTS, ...options };
  const perMs = sampleRate / 1000;
  const merge = Math.round(o.mergeGapMs * perMs);
  const gap = Math.max(1, Math.round(o.edgeGapMs * perMs));
  const loud: { first: number; last: number }[] = [];
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i] ?? 0) < o.loudLevel) continue;
    const last = loud.at(-1);
    if (last && i - last.last <= merge) last.last = i;
    else loud.push({ first: i, last: i });
  }
  const out: ReceivedSpeech[] = [];
  for (const part of loud) {
    if (part.last - part.first + 1 < o.minLoudMs * perMs) continue;
    const floor = out.at(-1)?.lastSample ?? -1;
    out.push({
      firstSample: walk(samples, part.first, -1, floor + 1, o.edgeLevel, gap),
      lastSample: walk(samples, part.last, 1, samples.length - 1, o.edgeLevel, gap),
    });
  }
  return out;
}

/** From `from` towards `limit`, the last sample ≥ level before a run of `gap` quieter samples. */
function walk(
  samples: Int16Array,
  from: number,
  step: 1 | -1,
  limit: number,
  level: number,
  gap: number,
): number {
  let edge = from;
  for (let i = from + step; step < 0 ? i >= limit : i <= limit; i += step) {
    if (Math.abs(samples[i] ?? 0) >= level) edge = i;
    else if (Math.abs(i - edge) >= gap) break;
  }
  return edge;
}

export interface TransitMatch {
  id: string;
  /** Bot log → arrival of its first / last speech sample, ms. */
  startMs: number;
  endMs: number;
}

/**
 * Pairs each logged utterance with the received speech that carries it: the first unused one
 * arriving between `minMs` and `maxMs` after the utterance was sent. Everything is on one clock.
 */
export function matchTransit(
  sent: readonly { id: string; startMs: number; endMs: number }[],
  received: readonly { startMs: number; endMs: number }[],
  options: { minMs?: number; maxMs?: number } = {},
): { matches: TransitMatch[]; unmatchedSent: string[]; unmatchedReceived: number } {
  const minMs = options.minMs ?? -20;
  const maxMs = options.maxMs ?? 1_000;
  const used = new Set<number>();
  const matches: TransitMatch[] = [];
  const unmatchedSent: string[] = [];
  for (const s of sent) {
    const k = received.findIndex(
      (r, i) => !used.has(i) && r.startMs - s.startMs >= minMs && r.startMs - s.startMs <= maxMs,
    );
    const r = received[k];
    if (!r) {
      unmatchedSent.push(s.id);
      continue;
    }
    used.add(k);
    matches.push({ id: s.id, startMs: r.startMs - s.startMs, endMs: r.endMs - s.endMs });
  }
  return { matches, unmatchedSent, unmatchedReceived: received.length - used.size };
}
