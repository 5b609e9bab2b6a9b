import type { SpeechInterval } from "../analysis/call-timeline.ts";
import type { VoiceActivityEvent } from "../media/vad/voice-activity.ts";

/** Default endpointing window: silence after the agent's last speech frame that ends its turn. */
export const DEFAULT_ENDPOINTING_MS = 700;

/**
 * Who-speaks-when of the agent on the call clock, and endpointing: the agent's turn is over when
 * the VAD has ended its speech and silence has lasted the endpointing window since the last
 * speech frame. Pure: times come in with the events, "now" with each question.
 */
export class AgentSpeech {
  readonly segments: SpeechInterval[] = [];
  private speakingSinceMs: number | undefined;

  constructor(readonly endpointingMs: number = DEFAULT_ENDPOINTING_MS) {
    if (!(endpointingMs >= 0)) throw new Error(`endpointing: window ${endpointingMs} ms must be >= 0`);
  }

  /** Applies a VAD event whose times are ms from `baseMs` on the call clock. */
  apply(event: VoiceActivityEvent, baseMs: number): void {
    if (event.type === "speech_started") {
      this.speakingSinceMs ??= baseMs + event.startMs;
      return;
    }
    this.segments.push({ startMs: baseMs + event.segment.startMs, endMs: baseMs + event.segment.endMs });
    this.speakingSinceMs = undefined;
  }

  get speaking(): boolean {
    return this.speakingSinceMs !== undefined;
  }

  /**
   * Start of the first agent speech still going on or ended after `ms` (its first speech frame,
   * which may lie before `ms` when the agent talked over the caller), or undefined.
   */
  speechAfter(ms: number): number | undefined {
    const ended = this.segments.find((s) => s.endMs > ms);
    if (ended) return ended.startMs;
    return this.speakingSinceMs;
  }

  /** First speech frame of speech that began at or after `ms` (a reply, not an overlap). */
  onsetAfter(ms: number): number | undefined {
    const ended = this.segments.find((s) => s.startMs >= ms);
    if (ended) return ended.startMs;
    return this.speakingSinceMs !== undefined && this.speakingSinceMs >= ms
      ? this.speakingSinceMs
      : undefined;
  }

  /**
   * Whether the agent, having spoken after `sinceMs`, has finished its turn by `nowMs`: not
   * speaking, and `endpointingMs` of silence since its last speech frame.
   */
  turnOver(sinceMs: number, nowMs: number): boolean {
    if (this.speaking) return false;
    const last = this.segments.at(-1);
    if (!last || last.endMs <= sinceMs) return false;
    return nowMs - last.endMs >= this.endpointingMs;
  }

  /** Closed segments plus one still open, cut at `nowMs` (the call ended mid-word). */
  intervals(nowMs: number): SpeechInterval[] {
    const out = [...this.segments];
    if (this.speakingSinceMs !== undefined && nowMs > this.speakingSinceMs)
      out.push({ startMs: this.speakingSinceMs, endMs: nowMs });
    return out;
  }
}
