/**
 * Sharpens the edges of a speech segment found on a coarse frame grid (Silero's 32 ms windows) using
 * short-block energy (pure; no model). A model is good at deciding *whether* a stretch is speech,
 * even in noise, but its frame grid and recurrent lag put edges up to a few frames off; energy is
 * poor at deciding but precise at locating where a sound rises out of, or falls back into, the
 * background. So: the model decides, energy places the edge within a bounded search window.
 *
 * The background is the median block energy of recent frames the model called non-speech. An edge
 * is found in two steps (hysteresis on energy): the first/last block clearly above the background
 * (`marginDb`) anchors it, then it extends outward over neighbouring blocks still just above the
 * background (`lowMarginDb`), so a ramp rising out of noise is dated from where it leaves the noise.
 * Both levels are also at least an absolute gate (digital silence has no floor) and at most
 * `belowPeakDb` under the loudest nearby block: the same audibility rule as `speechBounds`
 * (2 % of peak), so a turn's two sides are measured alike. An onset may reach further under the
 * peak (`onsetBelowPeakDb`): a line's opening breath is heard over the quiet before it.
 */
export interface EdgeRefinerOptions {
  sampleRate: number;
  /** Block length in samples: the resolution of refined edges. */
  blockSamples: number;
  /** A block this far above the background floor anchors an edge. */
  marginDb: number;
  /** An anchored edge extends over contiguous blocks at least this far above the floor. */
  lowMarginDb: number;
  /** Blocks this far below the loudest block near the edge are not sound (tails, lead-ins). */
  belowPeakDb: number;
  /**
   * The same for an onset. "Here is…" opens on an /h/ 31 dB under the line's active level, about
   * 41 dB under its peak: at 35 dB Silero's onsets of it were 28–37 ms late against the received
   * stream's level oracle (13 recorded clean calls), at 42 dB 20 ms.
   */
  onsetBelowPeakDb: number;
  /** Blocks quieter than this (dBFS, RMS) are never sound, whatever the floor. */
  gateDbfs: number;
  /** How far before the first speech frame (or the search start) an onset may be moved (the model may lag the rise). */
  onsetLookbackMs: number;
  /**
   * The same over a quiet background. At 96 ms, a line the agent began while the caller spoke was
   * up to 44 ms late (13 recorded clean calls); at 128 ms within 4 ms. Not in noise, where the
   * longer search reached the bed's swells (bench/voice-vad: pink 20 dB onset p95 34.9 → 39.5 ms).
   */
  quietOnsetLookbackMs: number;
  /** A background floor under this (dBFS) is quiet: digital silence, or a codec's last bits. */
  quietFloorDbfs: number;
  /** How far after the first speech frame's start an onset may be placed. */
  onsetLookaheadMs: number;
  /** How far before the last speech frame's end an offset may be moved (the model lags the fall). */
  offsetLookbackMs: number;
  /** How far past the last speech frame an offset may be extended (a faint tail the model dropped). */
  offsetLookaheadMs: number;
  /** Block energies kept; must cover the minimum silence plus the offset look-back. */
  historyMs: number;
  /** Non-speech blocks the floor is the median of. */
  floorBlocks: number;
}

export const DEFAULT_EDGE_REFINER: Omit<EdgeRefinerOptions, "sampleRate" | "blockSamples"> & {
  blockMs: number;
} = {
  blockMs: 4,
  marginDb: 9,
  lowMarginDb: 1,
  belowPeakDb: 35,
  onsetBelowPeakDb: 42,
  gateDbfs: -50,
  onsetLookbackMs: 96,
  quietOnsetLookbackMs: 128,
  quietFloorDbfs: -60,
  onsetLookaheadMs: 64,
  offsetLookbackMs: 256,
  offsetLookaheadMs: 64,
  historyMs: 2_000,
  floorBlocks: 250,
};

const SILENT_DB = -120;

export class EdgeRefiner {
  readonly blockMs: number;
  private readonly energies: Float64Array;
  private blocks = 0;
  private readonly floorRing: Float64Array;
  private floorCount = 0;
  private partialSum = 0;
  private partialCount = 0;

  constructor(private readonly o: EdgeRefinerOptions) {
    if (!(Number.isInteger(o.blockSamples) && o.blockSamples > 0))
      throw new Error(`edge refiner: blockSamples must be a positive integer, got ${o.blockSamples}`);
    this.blockMs = (o.blockSamples / o.sampleRate) * 1000;
    const needed = (o.offsetLookbackMs + o.offsetLookaheadMs) / this.blockMs;
    const history = Math.ceil(o.historyMs / this.blockMs);
    if (history < needed) throw new Error("edge refiner: history shorter than the offset search window");
    this.energies = new Float64Array(history);
    this.floorRing = new Float64Array(Math.max(1, o.floorBlocks));
  }

  /** Appends audio (floats, −1..1), in order. */
  push(samples: Float32Array): void {
    const n = this.o.blockSamples;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i] ?? 0;
      this.partialSum += s * s;
      if (++this.partialCount === n) {
        this.energies[this.blocks % this.energies.length] = 10 * Math.log10(this.partialSum / n + 1e-12);
        this.blocks++;
        this.partialSum = 0;
        this.partialCount = 0;
      }
    }
  }

  /** Marks the most recent `ms` of pushed audio as background (the model called it non-speech). */
  markBackground(ms: number): void {
    const count = Math.min(Math.round(ms / this.blockMs), this.blocks, this.energies.length);
    for (let b = this.blocks - count; b < this.blocks; b++) {
      this.floorRing[this.floorCount % this.floorRing.length] = this.energy(b) ?? SILENT_DB;
      this.floorCount++;
    }
  }

  /** Whether the background is quiet (under `quietFloorDbfs`); silent before any was seen. */
  quietBackground(): boolean {
    return this.floorDb() < this.o.quietFloorDbfs;
  }

  /** Background level (dBFS): median of recent background blocks; silent before any were seen. */
  floorDb(): number {
    const n = Math.min(this.floorCount, this.floorRing.length);
    if (n === 0) return SILENT_DB;
    const sorted = this.floorRing.slice(0, n).sort();
    return sorted[Math.floor(n / 2)] ?? SILENT_DB;
  }

  /**
   * Onset for a segment whose first speech frame starts at `frameStartMs`: the first loud block in
   * [searchFrom − lookback, frameStart + lookahead), extended back over just-audible blocks; or
   * `frameStartMs` if no block is loud. `searchFromMs` (default: the frame) is where the frames
   * the model was unsure of began: the sound it decided on may start there. Call once the audio
   * after the frame has been pushed.
   */
  onsetMs(frameStartMs: number, searchFromMs = frameStartMs): number {
    const lookbackMs = this.quietBackground() ? this.o.quietOnsetLookbackMs : this.o.onsetLookbackMs;
    const from = this.blockAt(Math.min(searchFromMs, frameStartMs) - lookbackMs);
    const to = this.blockAt(frameStartMs + this.o.onsetLookaheadMs);
    const { high, low } = this.levels(from, this.blocks, this.o.onsetBelowPeakDb);
    for (let b = from; b < to; b++) {
      if ((this.energy(b) ?? SILENT_DB) < high) continue;
      while (b > from && this.extends(b - 1, low)) b--;
      return b * this.blockMs;
    }
    return frameStartMs;
  }

  /**
   * Offset for a segment whose last speech frame ends at `frameEndMs`: the end of the last loud
   * block in [frameEnd − lookback, frameEnd + lookahead), extended forward over just-audible blocks;
   * or `frameEndMs` if no block is loud.
   */
  offsetMs(frameEndMs: number): number {
    const from = this.blockAt(frameEndMs - this.o.offsetLookbackMs);
    const to = this.blockAt(frameEndMs + this.o.offsetLookaheadMs);
    const { high, low } = this.levels(this.blocks - this.energies.length, to, this.o.belowPeakDb);
    for (let b = to - 1; b >= from; b--) {
      if ((this.energy(b) ?? SILENT_DB) < high) continue;
      while (b + 1 < to && this.extends(b + 1, low)) b++;
      return (b + 1) * this.blockMs;
    }
    return frameEndMs;
  }

  /**
   * Whether an edge extends over block `b`: audible on its own, and above the background averaged
   * with its neighbours — steady against noise blocks near the floor (measured best in noise; the
   * cost is that the block next to a loud one may qualify: an edge lands at most one block, 4 ms,
   * into the background).
   */
  private extends(b: number, low: { audible: number; background: number }): boolean {
    return (this.energy(b) ?? SILENT_DB) >= low.audible && this.smoothed(b) >= low.background;
  }

  /** Anchor and extension levels, given the loudest kept block in [from, to). */
  private levels(
    from: number,
    to: number,
    belowPeakDb: number,
  ): { high: number; low: { audible: number; background: number } } {
    let peak = SILENT_DB;
    for (let b = Math.max(0, from); b < to; b++) peak = Math.max(peak, this.energy(b) ?? SILENT_DB);
    const floor = this.floorDb();
    const audible = Math.max(this.o.gateDbfs, peak - belowPeakDb);
    return {
      high: Math.max(audible, floor + this.o.marginDb),
      low: { audible, background: floor + this.o.lowMarginDb },
    };
  }

  /** Block `b`'s level averaged (in power) with its two neighbours. */
  private smoothed(b: number): number {
    let sum = 0;
    let n = 0;
    for (let k = b - 1; k <= b + 1; k++) {
      const e = this.energy(k);
      if (e === undefined) continue;
      sum += 10 ** (e / 10);
      n++;
    }
    return n === 0 ? SILENT_DB : 10 * Math.log10(sum / n);
  }

  private blockAt(ms: number): number {
    return Math.max(0, Math.round(ms / this.blockMs));
  }

  /** Energy of block `b` if it is still kept and complete. */
  private energy(b: number): number | undefined {
    if (b < 0 || b >= this.blocks || b < this.blocks - this.energies.length) return undefined;
    return this.energies[b % this.energies.length];
  }
}
