import type { TranscriptSegment } from "./speech-to-text.ts";

/** Keeps finished segments in order and tells listeners; shared by every stream adapter. */
export class SegmentLog {
  private readonly listeners = new Set<(segment: TranscriptSegment) => void>();
  readonly segments: TranscriptSegment[] = [];

  on(listener: (segment: TranscriptSegment) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  add(segment: TranscriptSegment): void {
    this.segments.push(segment);
    for (const listener of this.listeners) listener(segment);
  }
}
