import type { PcmAudio } from "../media/audio/pcm.ts";
import type { VoiceActivity, VoiceActivityEvent } from "../media/vad/voice-activity.ts";
import type { CallRecorder } from "../recording/call-recorder.ts";
import type { AgentSpeechEvent } from "./agent-speech.ts";

/** Audio gathered before the agent's timeline is anchored (see AgentListener). */
export const ANCHOR_WINDOW_MS = 500;
/** A later chunk than this past the timeline is a real pause in the stream (track muted, republished). */
export const STREAM_PAUSE_MS = 500;

/**
 * Everything the caller hears from the agent goes through here, onto one timeline. The received
 * stream is continuous (the jitter buffer conceals losses), but chunks reach JavaScript in
 * bursts whenever the event loop was busy; their arrival time is an upper bound of when they were
 * heard. So the timeline counts samples from an anchor — the earliest arrival-consistent start
 * over the first ANCHOR_WINDOW_MS — and is re-anchored only after a real pause. The recorder is
 * written at exactly those positions and the VAD (and the tap, e.g. STT) is fed the same samples,
 * so VAD times are positions in the agent's WAV file.
 */
export class AgentListener {
  private anchorMs: number | undefined;
  private fedSamples = 0;
  private rate = 0;
  private warmup: { audio: PcmAudio; receivedAtMs: number }[] | undefined = [];
  private warmupMs = 0;

  constructor(
    private readonly identity: string,
    private readonly recorder: CallRecorder,
    private readonly vad: VoiceActivity,
    /** Each VAD decision, on the call clock. */
    private readonly onSpeech: (event: AgentSpeechEvent) => void,
    private readonly tap?: (audio: PcmAudio, atMs: number) => void,
  ) {}

  /** Clock ms of the first sample on the agent's timeline (undefined until anchored). */
  get startedAtMs(): number | undefined {
    return this.anchorMs;
  }

  push(audio: PcmAudio, receivedAtMs: number): void {
    if (this.warmup) {
      this.warmup.push({ audio, receivedAtMs });
      this.warmupMs += (audio.samples.length * 1000) / audio.sampleRate;
      if (this.warmupMs >= ANCHOR_WINDOW_MS) this.anchor();
      return;
    }
    const durationMs = (audio.samples.length * 1000) / this.rate;
    const startByArrival = receivedAtMs - durationMs;
    if (startByArrival - this.positionMs() > STREAM_PAUSE_MS) {
      // A real pause: the recorder pads the gap; the VAD hears the same silence.
      const gap = Math.round(((startByArrival - this.positionMs()) * this.rate) / 1000);
      this.feed({ samples: new Int16Array(gap), sampleRate: this.rate }, false);
    }
    this.feed(audio, true);
  }

  /** End of the call: places audio still held for anchoring, closes a segment still open. */
  flush(): void {
    if (this.warmup && this.warmup.length > 0) this.anchor();
    if (this.anchorMs === undefined) return;
    for (const e of this.vad.flush()) this.onSpeech(onCallClock(e, this.anchorMs));
  }

  private anchor(): void {
    const held = this.warmup ?? [];
    this.warmup = undefined;
    const first = held[0];
    if (!first) return;
    this.rate = first.audio.sampleRate;
    let fedMs = 0;
    let anchor = Number.POSITIVE_INFINITY;
    for (const h of held) {
      fedMs += (h.audio.samples.length * 1000) / h.audio.sampleRate;
      anchor = Math.min(anchor, h.receivedAtMs - fedMs);
    }
    this.anchorMs = anchor;
    for (const h of held) this.feed(h.audio, true);
  }

  private positionMs(): number {
    return (this.anchorMs ?? 0) + (this.fedSamples * 1000) / this.rate;
  }

  private feed(audio: PcmAudio, record: boolean): void {
    const atMs = this.positionMs();
    if (record) this.recorder.write(this.identity, audio, atMs);
    for (const e of this.vad.push(audio)) this.onSpeech(onCallClock(e, this.anchorMs ?? 0));
    this.tap?.(audio, atMs);
    this.fedSamples += audio.samples.length;
  }
}

/** A VAD event (ms from the start of what it heard) placed on the call clock. */
function onCallClock(event: VoiceActivityEvent, baseMs: number): AgentSpeechEvent {
  return event.type === "speech_started"
    ? { type: "agent_speech_started", startMs: baseMs + event.startMs }
    : {
        type: "agent_speech_ended",
        startMs: baseMs + event.segment.startMs,
        endMs: baseMs + event.segment.endMs,
      };
}
