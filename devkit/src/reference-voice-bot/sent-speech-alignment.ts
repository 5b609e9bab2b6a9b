/**
 * The oracle for "when did the agent's speech arrive" when there is no digital silence to read
 * edges from (a noise bed, comfort noise). The bot knows exactly which sample of its sent stream
 * is the first and last of each utterance, and what it sent around it (speech and bed are both
 * known, deterministic samples). Each edge is found in the received stream by cross-correlating a
 * window of the sent stream around it: the lag with the highest normalized correlation says where
 * that very sample arrived. No VAD, no threshold: the noise level does not move the edge.
 *
 * Per edge, not once per call: the receiver's jitter buffer stretches and shrinks time as it
 * adapts, so the offset between the streams changes during a call (tens of ms).
 */
export interface SentEdge {
  /** Index of the edge sample in the sent stream. */
  sentSample: number;
  /** start: the window runs mostly after the edge (speech follows); end: mostly before it. */
  kind: "start" | "end";
  /** Where in the received stream the edge is expected (sent time on the received timeline). */
  expectedReceivedSample: number;
}

export interface AlignedEdge {
  /** Index of the edge sample in the received stream. */
  receivedSample: number;
  /** Normalized correlation of the window at that lag (1 = identical up to gain). */
  correlation: number;
}

export interface AlignmentOptions {
  sampleRate: number;
  /** Window around the edge: this much on the speech side … */
  speechSideMs?: number;
  /** … and this much on the other (bed or silence). */
  otherSideMs?: number;
  /**
   * Search lags from `expected − earlyMs` to `expected + lateMs`: transit is positive, and the
   * expected position carries the error of mapping the bot's clock onto the recording's timeline.
   */
  earlyMs?: number;
  lateMs?: number;
  /**
   * Coarse search decimation factor: both streams are low-passed below the decimated rate's
   * Nyquist and every `decimation`-th sample kept; the best coarse lag is then refined at full
   * rate within `fineSearchBlocks` coarse lags of it.
   */
  decimation?: number;
  fineSearchBlocks?: number;
  /**
   * Last step: a short window right at the edge (this much speech, half as much of the other side),
   * searched ±`edgeSearchMs` around the long window's lag. The receiver's jitter buffer stretches
   * time within an utterance (it drops or repeats pitch periods), so the long window's lag can be
   * several ms off at the edge itself. 0 skips the step.
   */
  edgeSpeechMs?: number;
  edgeSearchMs?: number;
}

const DEFAULTS = {
  speechSideMs: 120,
  otherSideMs: 40,
  earlyMs: 500,
  lateMs: 3_000,
  decimation: 12,
  fineSearchBlocks: 6,
  edgeSpeechMs: 20,
  edgeSearchMs: 12,
};

export function alignSentEdges(
  sent: Int16Array,
  received: Int16Array,
  edges: readonly SentEdge[],
  options: AlignmentOptions,
): AlignedEdge[] {
  const o = { ...DEFAULTS, ...options };
  const perMs = o.sampleRate / 1000;
  const coarseSent = lowPassDecimate(sent, o.decimation);
  const coarseReceived = lowPassDecimate(received, o.decimation);
  return edges.map((edge) => {
    const before = Math.round((edge.kind === "start" ? o.otherSideMs : o.speechSideMs) * perMs);
    const after = Math.round((edge.kind === "start" ? o.speechSideMs : o.otherSideMs) * perMs);
    const from = Math.max(0, edge.sentSample - before);
    const to = Math.min(sent.length, edge.sentSample + after + 1);
    if (to - from < 2 * o.decimation)
      throw new Error(`alignment: the sent stream has no window around sample ${edge.sentSample}`);
    const expectedLag = edge.expectedReceivedSample - edge.sentSample;
    const lowLag = expectedLag - Math.round(o.earlyMs * perMs);
    const highLag = expectedLag + Math.round(o.lateMs * perMs);
    // Coarse: block lags on the decimated streams.
    const d = o.decimation;
    const cFrom = Math.floor(from / d);
    const cTo = Math.floor(to / d);
    let bestCoarse = Number.NaN;
    let bestCoarseCorr = Number.NEGATIVE_INFINITY;
    for (let lag = Math.floor(lowLag / d); lag <= Math.ceil(highLag / d); lag++) {
      const c = correlation(coarseSent, cFrom, cTo, coarseReceived, lag);
      if (c > bestCoarseCorr) {
        bestCoarseCorr = c;
        bestCoarse = lag;
      }
    }
    if (Number.isNaN(bestCoarse)) return { receivedSample: Number.NaN, correlation: 0 };
    // Fine: every sample lag within `fineSearchBlocks` blocks of the coarse peak.
    let best = Number.NaN;
    let bestCorr = Number.NEGATIVE_INFINITY;
    const reach = o.fineSearchBlocks;
    for (let lag = (bestCoarse - reach) * d; lag <= (bestCoarse + reach) * d; lag++) {
      const c = correlation(sent, from, to, received, lag);
      if (c > bestCorr) {
        bestCorr = c;
        best = lag;
      }
    }
    if (Number.isNaN(best)) return { receivedSample: Number.NaN, correlation: 0 };
    if (o.edgeSpeechMs > 0) {
      const speech = Math.round(o.edgeSpeechMs * perMs);
      const other = Math.round(speech / 2);
      const eFrom = Math.max(0, edge.sentSample - (edge.kind === "start" ? other : speech));
      const eTo = Math.min(sent.length, edge.sentSample + (edge.kind === "start" ? speech : other) + 1);
      const reach = Math.round(o.edgeSearchMs * perMs);
      let edgeBest = best;
      let edgeCorr = Number.NEGATIVE_INFINITY;
      for (let lag = best - reach; lag <= best + reach; lag++) {
        const c = correlation(sent, eFrom, eTo, received, lag);
        if (c > edgeCorr) {
          edgeCorr = c;
          edgeBest = lag;
        }
      }
      best = edgeBest;
    }
    return { receivedSample: edge.sentSample + best, correlation: bestCorr };
  });
}

/** Normalized correlation of a[from, to) with b[from + lag, to + lag); −∞ if b lacks the range. */
function correlation(
  a: ArrayLike<number>,
  from: number,
  to: number,
  b: ArrayLike<number>,
  lag: number,
): number {
  if (from + lag < 0 || to + lag > b.length) return Number.NEGATIVE_INFINITY;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = from; i < to; i++) {
    const x = a[i] ?? 0;
    const y = b[i + lag] ?? 0;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/**
 * Every `factor`-th sample of the stream low-passed at 0.8 × the decimated Nyquist (a
 * Blackman-windowed sinc, 8 × factor + 1 taps, unit gain at DC). Block averages alias the octave
 * above the new Nyquist back into the band with a phase that depends on where the true lag falls
 * inside a block; on speech through Opus that moved the coarse peak by up to 0.9 ms, outside the
 * fine search, and the window read correlation 0.49 at a lag beside the true one (0.84 there).
 */
function lowPassDecimate(samples: Int16Array, factor: number): Float64Array {
  if (factor <= 1) return Float64Array.from(samples);
  const half = 4 * factor;
  const cutoff = 0.4 / factor; // cycles per input sample
  const taps = new Float64Array(2 * half + 1);
  let sum = 0;
  for (let k = -half; k <= half; k++) {
    const x = 2 * cutoff * k;
    const sinc = k === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    const n = (k + half) / (2 * half);
    const window = 0.42 - 0.5 * Math.cos(2 * Math.PI * n) + 0.08 * Math.cos(4 * Math.PI * n);
    taps[k + half] = sinc * window;
    sum += sinc * window;
  }
  for (let k = 0; k < taps.length; k++) taps[k] = (taps[k] ?? 0) / sum;
  const out = new Float64Array(Math.floor(samples.length / factor));
  for (let j = 0; j < out.length; j++) {
    const center = j * factor;
    let acc = 0;
    const lo = Math.max(0, center - half);
    const hi = Math.min(samples.length - 1, center + half);
    for (let i = lo; i <= hi; i++) acc += (samples[i] ?? 0) * (taps[i - center + half] ?? 0);
    out[j] = acc;
  }
  return out;
}
