/**
 * Puts received audio on the clock. WebRTC hands a subscriber a steady stream of 10 ms frames,
 * but JavaScript reads them late whenever the event loop is busy (bursts after a stall). A frame
 * can be read late, never early, so the earliest `arrival − samples before it / rate` seen is the
 * stream's true origin; every sample is then `origin + index / rate`. If the stream itself slips
 * (frames really missing), every arrival stays late: after `slipWindowFrames` frames all later
 * than `slipToleranceMs`, the origin moves forward to the smallest of them.
 */
export class ReceiveClock {
  private samples = 0;
  private origin = Number.POSITIVE_INFINITY;
  private readonly recent: number[] = [];

  constructor(
    readonly sampleRate: number,
    private readonly options: { slipToleranceMs?: number; slipWindowFrames?: number } = {},
  ) {
    if (!(Number.isInteger(sampleRate) && sampleRate > 0))
      throw new Error(`receive clock: bad rate ${sampleRate}`);
  }

  /**
   * Records a frame of `length` samples read at `arrivalMs`; returns the clock ms of its first sample.
   */
  frame(length: number, arrivalMs: number): number {
    const candidate = arrivalMs - (this.samples * 1000) / this.sampleRate;
    this.origin = Math.min(this.origin, candidate);
    const window = this.options.slipWindowFrames ?? 100;
    this.recent.push(candidate);
    if (this.recent.length > window) this.recent.shift();
    const floor = Math.min(...this.recent);
    if (this.recent.length === window && floor - this.origin > (this.options.slipToleranceMs ?? 20)) {
      this.origin = floor;
    }
    const at = this.msOfSample(this.samples);
    this.samples += length;
    return at;
  }

  /** Clock ms of stream sample `index` (0 = the first sample received). */
  msOfSample(index: number): number {
    return this.origin + (index * 1000) / this.sampleRate;
  }

  /** Clock ms of a time given as ms from the first received sample (how a VAD reports). */
  msOfStreamMs(streamMs: number): number {
    return this.origin + streamMs;
  }

  get receivedSamples(): number {
    return this.samples;
  }
}
