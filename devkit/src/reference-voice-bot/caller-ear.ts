import {
  AudioStream,
  type RemoteParticipant,
  type RemoteTrack,
  type Room,
  RoomEvent,
  TrackKind,
} from "@livekit/rtc-node";
import type { Clock, VoiceActivity } from "@spar/sidecar";
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
  private reading = false;
  private stream: ReadableStreamDefaultReader<{ data: Int16Array }> | undefined;
  private pump: Promise<void> = Promise.resolve();
  readonly clock: ReceiveClock = new ReceiveClock(BOT_SAMPLE_RATE);

  constructor(
    private readonly room: Room,
    private readonly options: {
      vad: VoiceActivity;
      clock: Clock;
      callerIdentity: string | undefined;
      onSpeech: (event: CallerSpeechEvent) => void;
    },
  ) {
    room.on(RoomEvent.TrackSubscribed, this.onTrack);
    for (const p of room.remoteParticipants.values()) {
      for (const pub of p.trackPublications.values()) if (pub.track) this.onTrack(pub.track, pub, p);
    }
  }

  private readonly onTrack = (track: RemoteTrack, _pub: unknown, participant: RemoteParticipant): void => {
    if (this.reading || track.kind !== TrackKind.KIND_AUDIO) return;
    const wanted = this.options.callerIdentity;
    if (wanted !== undefined && participant.identity !== wanted) return;
    this.reading = true;
    const reader = new AudioStream(track, { sampleRate: BOT_SAMPLE_RATE, numChannels: 1 }).getReader();
    this.stream = reader;
    this.pump = this.read(reader).catch((err: unknown) => console.error("[reference-bot] ear:", err));
  };

  private async read(reader: ReadableStreamDefaultReader<{ data: Int16Array }>): Promise<void> {
    const { vad, clock, onSpeech } = this.options;
    for (;;) {
      const { value, done } = await reader.read();
      if (done || !value) return;
      this.clock.frame(value.data.length, clock.now());
      for (const e of vad.push({ samples: value.data, sampleRate: BOT_SAMPLE_RATE })) {
        onSpeech(
          e.type === "speech_started"
            ? { type: "caller_started", atMs: this.clock.msOfStreamMs(e.startMs) }
            : { type: "caller_ended", atMs: this.clock.msOfStreamMs(e.segment.endMs) },
        );
      }
    }
  }

  async close(): Promise<void> {
    this.room.off(RoomEvent.TrackSubscribed, this.onTrack);
    await this.stream?.cancel().catch(() => undefined);
    await this.pump;
  }
}
