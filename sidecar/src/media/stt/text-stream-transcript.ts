import type { Clock } from "../clock.ts";
import { SegmentLog } from "./segment-listeners.ts";
import type { SpeechToTextStream, TranscriptSegment } from "./speech-to-text.ts";

/** Longest text kept per segment; an agent's sentence is far shorter. */
const MAX_SEGMENT_CHARS = 20_000;

/**
 * The agent's own words from its `lk.transcription` text streams (exact text, no ASR). A room
 * adapter calls `append` for each chunk of a stream (one stream per segment id, text arrives as
 * deltas) and `finish` when the stream closes or carries `lk.transcription_final`. Times are the
 * clock at the first and last chunk: when the text arrived, which the analysis aligns with VAD.
 */
export class TextStreamTranscript implements SpeechToTextStream {
  readonly name = "lk.transcription";
  readonly fidelity = "exact" as const;
  private readonly log = new SegmentLog();
  private readonly open = new Map<string, { text: string; firstMs: number; lastMs: number }>();

  constructor(private readonly clock: Clock) {}

  append(segmentId: string, delta: string): void {
    const now = this.clock.now();
    const seg = this.open.get(segmentId) ?? { text: "", firstMs: now, lastMs: now };
    seg.text = (seg.text + delta).slice(0, MAX_SEGMENT_CHARS);
    seg.lastMs = now;
    this.open.set(segmentId, seg);
  }

  finish(segmentId: string): void {
    const seg = this.open.get(segmentId);
    if (!seg) return;
    this.open.delete(segmentId);
    const text = seg.text.trim();
    if (text) this.log.add({ text, startMs: seg.firstMs, endMs: seg.lastMs, words: [] });
  }

  onSegment(listener: (segment: TranscriptSegment) => void): () => void {
    return this.log.on(listener);
  }

  async end(): Promise<TranscriptSegment[]> {
    for (const id of [...this.open.keys()]) this.finish(id);
    return [...this.log.segments];
  }
}
