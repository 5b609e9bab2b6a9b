import type { AudioFrame } from "@livekit/rtc-node";
import type { Clock, RemoteAudioReading, RtcParticipant, VoiceActivity } from "@spar/sidecar";
import { ReceiveClock } from "./receive-clock.ts";
import { BOT_SAMPLE_RATE } from "./voice-lines.ts";

export type CallerSpeechEvent =
  | { type: "caller_started"; atMs: number }
  | { type: "caller_ended"; atMs: number };

/**
 * The bot's ear: the caller's received track through a VAD, with speech edges put on the bot's
 * clock by sample count (ReceiveClock), so a busy event loop does not move them.
 */
export class CallerEar {
  private readonly reading: RemoteAudioReading;
  readonly clock: ReceiveClock = new ReceiveClock(BOT_SAMPLE_RATE);

  constructor(
    participant: RtcParticipant,
    private readonly options: {
      vad: VoiceActivity;
      clock: Clock;
      callerIdentity: string | undefined;
      onSpeech: (event: CallerSpeechEvent) => void;
    },
  ) {
    const wanted = options.callerIdentity;
    // The first audio track of the caller (or of anyone, when no caller identity is set).
    this.reading = participant.readAudio({
      sampleRate: BOT_SAMPLE_RATE,
      firstTrackOnly: true,
      ...(wanted !== undefined ? { from: (identity: string) => identity === wanted } : {}),
      onFrame: (frame) => this.hear(frame),
      onError: (err) => console.error("[reference-bot] ear:", err),
    });
  }

  private hear(frame: AudioFrame): void {
    const { vad, clock, onSpeech } = this.options;
    this.clock.frame(frame.data.length, clock.now());
    for (const e of vad.push({ samples: frame.data, sampleRate: BOT_SAMPLE_RATE })) {
      onSpeech(
        e.type === "speech_started"
          ? { type: "caller_started", atMs: this.clock.msOfStreamMs(e.startMs) }
          : { type: "caller_ended", atMs: this.clock.msOfStreamMs(e.segment.endMs) },
      );
    }
  }

  close(): Promise<void> {
    return this.reading.close();
  }
}
