import type { LocalParticipant } from "@livekit/rtc-node";

export const TRANSCRIPTION_TOPIC = "lk.transcription";

interface Segment {
  words: string[];
  sent: number;
  writer: Promise<{ write(t: string): Promise<void>; close(): Promise<void> } | undefined>;
}

/**
 * Publishes the bot's words the way LiveKit Agents does: one `lk.transcription` text stream per
 * utterance (attributes `lk.transcribed_track_id`, `lk.segment_id`, `lk.transcription_final`),
 * words written as they are spoken, the stream closed when the utterance ends. A cut utterance
 * carries only the words it got to. Failures are logged, never thrown: a transcript hiccup must
 * not stop the audio.
 */
export class TranscriptionWriter {
  private readonly segments = new Map<string, Segment>();
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly participant: LocalParticipant,
    private readonly trackSid: string,
    private readonly onError: (err: unknown) => void = (err) =>
      console.error("[reference-bot] transcription:", err),
  ) {}

  begin(segmentId: string, text: string): void {
    const writer = this.participant
      .streamText({
        topic: TRANSCRIPTION_TOPIC,
        attributes: {
          "lk.transcribed_track_id": this.trackSid,
          "lk.segment_id": segmentId,
          // Deltas follow; the stream's close is the final word (as LiveKit Agents streams it).
          "lk.transcription_final": "false",
        },
      })
      .catch((err: unknown) => {
        this.onError(err);
        return undefined;
      });
    this.segments.set(segmentId, { words: text.split(/\s+/).filter(Boolean), sent: 0, writer });
  }

  /** `fraction` of the utterance has been sent: write the words up to that point. */
  progress(segmentId: string, fraction: number): void {
    const s = this.segments.get(segmentId);
    if (!s) return;
    const upTo = Math.min(s.words.length, Math.floor(fraction * s.words.length));
    if (upTo <= s.sent) return;
    const text = (s.sent > 0 ? " " : "") + s.words.slice(s.sent, upTo).join(" ");
    s.sent = upTo;
    this.enqueue(async () => (await s.writer)?.write(text));
  }

  end(segmentId: string, finished: boolean): void {
    if (finished) this.progress(segmentId, 1);
    const s = this.segments.get(segmentId);
    if (!s) return;
    this.segments.delete(segmentId);
    this.enqueue(async () => (await s.writer)?.close());
  }

  /** Resolves once everything written so far has gone out. */
  async flush(): Promise<void> {
    for (const id of [...this.segments.keys()]) this.end(id, false);
    await this.chain;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch(this.onError);
  }
}
