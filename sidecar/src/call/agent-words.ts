import type { PcmAudio } from "../media/audio/pcm.ts";
import type { AudioSpeechToTextStream, TranscriptSegment } from "../media/stt/speech-to-text.ts";

/** Audio kept while it is unknown whether the agent publishes its words (then STT never runs). */
const MAX_BUFFERED_MS = 120_000;

/** Longest text kept per segment; an agent's sentence is far shorter. */
const MAX_SEGMENT_CHARS = 20_000;

/**
 * What the agent said, in words: its own `lk.transcription` text when it publishes one (exact),
 * else an offline speech-to-text stream over its received audio (low fidelity). The choice is
 * made at the end of the agent's first turn; audio until then is buffered so STT misses nothing.
 * Text is taken per turn as it stands, open streams included (a stream's first packets can lag
 * its audio by a second while the agent's data channel opens), and never taken twice.
 */
export class AgentWords {
  /** Segment id → text so far and how much of it earlier turns took, in arrival order. */
  private readonly segments = new Map<string, { text: string; taken: number; done: boolean }>();
  private readonly sttQueue: TranscriptSegment[] = [];
  private sawText = false;
  private stt: AudioSpeechToTextStream | undefined;
  private sttFailed = false;
  private buffered: { audio: PcmAudio; atMs: number }[] | undefined = [];
  private bufferedMs = 0;
  private sttBaseMs = 0;
  private words = 0;

  constructor(
    private readonly makeStt?: () => AudioSpeechToTextStream | undefined,
    /** Called when STT transcribed more (the words a turn waits for may be ready). */
    private readonly onSttSegment?: () => void,
  ) {}

  onTranscription(segmentId: string, delta: string): void {
    this.sawText = true;
    const seg = this.segments.get(segmentId) ?? { text: "", taken: 0, done: false };
    seg.text = (seg.text + delta).slice(0, MAX_SEGMENT_CHARS);
    this.segments.set(segmentId, seg);
  }

  onTranscriptionEnd(segmentId: string): void {
    const seg = this.segments.get(segmentId);
    if (seg) seg.done = true;
  }

  /** Whether the agent has published text no turn has taken yet. */
  get hasNewText(): boolean {
    for (const seg of this.segments.values()) if (seg.text.length > seg.taken) return true;
    return false;
  }

  /** Whether words are known to come from the agent's text (else STT, or nothing). */
  get publishesText(): boolean {
    return this.sawText;
  }

  /** Whether STT runs (or the choice is still open): then a turn's words may trail its audio. */
  get undecided(): boolean {
    return !this.sawText && this.buffered !== undefined && !this.sttFailed;
  }

  /** Every sample the VAD hears, at its clock position (the AgentListener tap). */
  audio(audio: PcmAudio, atMs: number): void {
    if (this.stt) {
      this.stt.write(audio);
      return;
    }
    if (!this.buffered) return;
    this.buffered.push({ audio, atMs });
    this.bufferedMs += (audio.samples.length * 1000) / audio.sampleRate;
    while (this.bufferedMs > MAX_BUFFERED_MS && this.buffered.length > 0) {
      const dropped = this.buffered.shift();
      if (dropped) this.bufferedMs -= (dropped.audio.samples.length * 1000) / dropped.audio.sampleRate;
    }
  }

  /** At an agent turn's end: start STT if the agent has not published its words. */
  decide(): void {
    if (this.sawText || this.stt || !this.buffered || this.sttFailed) {
      if (this.sawText) this.buffered = undefined;
      return;
    }
    const stt = this.startStt();
    if (!stt) {
      this.buffered = undefined;
      return;
    }
    const first = this.buffered[0];
    this.sttBaseMs = first?.atMs ?? 0;
    for (const b of this.buffered) stt.write(b.audio);
    this.buffered = undefined;
  }

  /**
   * Whether the words of agent speech ending at `speechEndMs` can be taken now: its text has
   * arrived, or STT has transcribed up to there. Undecided (no text seen yet, STT not started)
   * waits: a publishing agent's first text can trail its audio.
   */
  ready(speechEndMs: number): boolean {
    if (this.sawText) return this.hasNewText;
    if (this.stt) {
      const last = this.sttQueue.at(-1);
      return last !== undefined && this.sttBaseMs + last.endMs >= speechEndMs - 300;
    }
    return !this.undecided;
  }

  get sttRunning(): boolean {
    return this.stt !== undefined;
  }

  /** The words that arrived since the last take, as one turn's text. */
  take(): string {
    const stt = this.sttQueue.splice(0).map((s) => s.text);
    let parts = stt;
    if (this.sawText) {
      parts = [];
      for (const [id, seg] of this.segments) {
        parts.push(seg.text.slice(seg.taken));
        seg.taken = seg.text.length;
        if (seg.done) this.segments.delete(id);
      }
    }
    const text = parts.join(" ").replace(/\s+/g, " ").trim();
    this.words += text.split(" ").filter(Boolean).length;
    return text;
  }

  get wordCount(): number | null {
    return this.source() ? this.words : null;
  }

  source(): { engine: string; fidelity: "exact" | "provider" | "low_fidelity" } | null {
    if (this.sawText) return { engine: "lk.transcription", fidelity: "exact" };
    if (this.stt) return { engine: this.stt.name, fidelity: this.stt.fidelity };
    return null;
  }

  /** Drains the STT engine (its last utterance) before the final take. */
  async end(): Promise<void> {
    if (this.stt) await this.stt.end().catch(() => undefined);
  }

  private startStt(): AudioSpeechToTextStream | undefined {
    try {
      const stt = this.makeStt?.();
      if (!stt) return undefined;
      stt.onSegment((s) => {
        this.sttQueue.push(s);
        this.onSttSegment?.();
      });
      this.stt = stt;
      return stt;
    } catch {
      // No engine installed: the transcript says nothing rather than the call failing.
      this.sttFailed = true;
      return undefined;
    }
  }
}
