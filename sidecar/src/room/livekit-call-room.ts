/**
 * The CallRoom port over @livekit/rtc-node: connects with URL + token, publishes a microphone
 * fed frame by frame, reads every remote audio track as 48 kHz mono, and turns remote
 * `lk.transcription` text streams into events. The join itself is rtc-participant.ts.
 */
import { type RemoteParticipant, type Room, RoomEvent, type TextStreamReader } from "@livekit/rtc-node";
import type { Clock } from "../media/clock.ts";
import type { CallRoom, CallRoomConnectOptions, CallRoomConnector, CallRoomEvent } from "./call-room.ts";
import { describeDisconnect } from "./disconnect-reason.ts";
import { dtmfEventCode } from "./dtmf-signal.ts";
import { joinRtcParticipant, openOrLeave, type RtcParticipant } from "./rtc-participant.ts";

export const LIVEKIT_SAMPLE_RATE = 48_000;
/**
 * The microphone is handed 100 ms frames into a 500 ms outgoing queue. captureFrame resolves once
 * the queue has room, so the caller runs 400–500 ms ahead of what is sent: an event-loop stall
 * shorter than 400 ms never starves the track. At 20 calls on 2 cores (bench/voice-load) the
 * JavaScript thread waits for a CPU ~370 ms per second (rtc-node's per-call media threads wake
 * every 10 ms beside it) and stalls of 200–300 ms happen every minute: with a 300 ms queue
 * 1–132 frames per run came late, with 500 ms none. Every FFI event also reaches every Room in
 * the process, so fewer, larger frames matter as calls are added: measured with 10 publishers,
 * 117 ms/s of main-thread CPU with 20 ms frames, 62 ms/s with 100 ms. The cost is reaction time:
 * a line decided now starts after what is queued (≤ 500 ms later); a line scheduled for a given
 * time (a barge-in's `interrupt_after_ms`) still starts on that sample when it is decided at
 * least that long before. Timestamps stay exact: they come from the sample clock.
 */
export const MICROPHONE_FRAME_MS = 100;
export const MICROPHONE_QUEUE_MS = 500;
/**
 * Received audio comes in 50 ms frames: a fifth of the FFI events of 10 ms frames. Positions stay
 * sample-exact (the agent's timeline counts samples); the VAD sees speech edges at most 50 ms later.
 */
export const RECEIVE_FRAME_MS = 50;
export const TRANSCRIPTION_TOPIC = "lk.transcription";
const MAX_TRANSCRIPTION_CHARS = 20_000;

export interface LiveKitCallRoomOptions {
  clock: Clock;
  /** Microphone frame length (ms); default MICROPHONE_FRAME_MS. */
  microphoneFrameMs?: number;
  /** Outgoing microphone queue (ms), more than one frame; default MICROPHONE_QUEUE_MS. */
  microphoneQueueMs?: number;
  /** Length of received audio frames (ms); default RECEIVE_FRAME_MS. */
  receiveFrameMs?: number;
  /** Drop other rooms' FFI events before the Room's lock (room-event-filter.ts); default true. */
  filterForeignEvents?: boolean;
  /** Name of the published microphone track. */
  trackName?: string;
}

export class LiveKitCallRoomConnector implements CallRoomConnector {
  constructor(private readonly options: LiveKitCallRoomOptions) {
    const frame = options.microphoneFrameMs ?? MICROPHONE_FRAME_MS;
    const queue = options.microphoneQueueMs ?? MICROPHONE_QUEUE_MS;
    const receive = options.receiveFrameMs ?? RECEIVE_FRAME_MS;
    for (const [name, ms] of [
      ["microphoneFrameMs", frame],
      ["receiveFrameMs", receive],
    ] as const) {
      if (!Number.isInteger(ms) || ms < 10 || ms > 200 || ms % 10 !== 0) {
        throw new Error(`${name}: ${ms} must be a multiple of 10 ms between 10 and 200`);
      }
    }
    if (!Number.isInteger(queue) || queue < 2 * frame || queue > 2_000) {
      throw new Error(
        `microphoneQueueMs: ${queue} must be an integer of at least two frames (${2 * frame} ms) and at most 2000`,
      );
    }
  }

  /**
   * Joins and publishes the microphone. One attempt: a server that drops the caller while it
   * joins fails the call as connection_failed, because a test must not hide a flaky room.
   */
  async connect(options: CallRoomConnectOptions): Promise<CallRoom> {
    return openOrLeave(new LiveKitCallRoom(this.options, options.onEvent), options);
  }
}

class LiveKitCallRoom implements CallRoom {
  readonly sampleRate = LIVEKIT_SAMPLE_RATE;
  readonly microphoneFrameMs: number;
  microphoneTrackSid = "";
  private participant: RtcParticipant | undefined;
  private left = false;
  private leaving: Promise<void> | undefined;
  /** Events held until the room has joined (a failed join's are dropped). */
  private held: CallRoomEvent[] | undefined = [];

  constructor(
    private readonly options: LiveKitCallRoomOptions,
    private readonly onEvent: (event: CallRoomEvent) => void,
  ) {
    this.microphoneFrameMs = options.microphoneFrameMs ?? MICROPHONE_FRAME_MS;
  }

  get roomName(): string {
    return this.participant?.room.name ?? "";
  }

  get localIdentity(): string {
    return this.participant?.room.localParticipant?.identity ?? "";
  }

  remoteIdentities(): string[] {
    return [...(this.participant?.room.remoteParticipants.values() ?? [])].map((p) => p.identity);
  }

  async open(url: string, token: string, signal: AbortSignal): Promise<void> {
    this.participant = await joinRtcParticipant({
      url,
      token,
      signal,
      role: "caller",
      filterForeignEvents: this.options.filterForeignEvents !== false,
      onRoom: (room) => this.listen(room),
      onConnected: (room) => {
        for (const p of room.remoteParticipants.values()) {
          this.emit({ type: "participant_joined", identity: p.identity });
        }
      },
      audio: {
        sampleRate: LIVEKIT_SAMPLE_RATE,
        frameMs: this.options.receiveFrameMs ?? RECEIVE_FRAME_MS,
        onFrame: (frame, identity) =>
          this.emit({
            type: "audio",
            identity,
            // Copied: the recorder keeps chunks past this callback.
            audio: { samples: frame.data.slice(), sampleRate: frame.sampleRate },
            receivedAtMs: this.options.clock.now(),
          }),
      },
      microphone: {
        trackName: this.options.trackName ?? "caller-microphone",
        sampleRate: LIVEKIT_SAMPLE_RATE,
        queueMs: this.options.microphoneQueueMs ?? MICROPHONE_QUEUE_MS,
      },
    });
    this.microphoneTrackSid = this.participant.microphone?.trackSid ?? "";
    const held = this.held ?? [];
    this.held = undefined;
    for (const event of held) this.emit(event);
  }

  captureFrame(samples: Int16Array): Promise<void> {
    const microphone = this.participant?.microphone;
    if (this.left || !microphone) return Promise.reject(new Error("the caller left the room"));
    return microphone.captureFrame(samples);
  }

  async sendDtmf(digit: string): Promise<void> {
    await this.local().publishDtmf(dtmfEventCode(digit), digit);
  }

  async publishTranscription(text: string, segmentId: string): Promise<void> {
    await this.local().sendText(text, {
      topic: TRANSCRIPTION_TOPIC,
      attributes: {
        "lk.transcribed_track_id": this.microphoneTrackSid,
        "lk.segment_id": segmentId,
        "lk.transcription_final": "true",
      },
    });
  }

  leave(): Promise<void> {
    this.left = true;
    this.leaving ??= this.participant?.close() ?? Promise.resolve();
    return this.leaving;
  }

  private local() {
    const local = this.participant?.room.localParticipant;
    if (!local || this.left) throw new Error("the caller is not in the room");
    return local;
  }

  private emit(event: CallRoomEvent): void {
    if (this.left) return;
    if (this.held) {
      this.held.push(event);
      return;
    }
    try {
      this.onEvent(event);
    } catch {
      // A listener fault must not unwind into rtc-node's event dispatch; the runner reports its own errors.
    }
  }

  private listen(room: Room): void {
    room
      .on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) =>
        this.emit({ type: "participant_joined", identity: p.identity }),
      )
      .on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) =>
        this.emit({ type: "participant_left", identity: p.identity }),
      )
      .on(RoomEvent.Disconnected, (reason) => {
        const { name, normal } = describeDisconnect(reason);
        this.emit({ type: "disconnected", reason: name, normal });
      });
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, from) => {
      this.readTranscription(reader, from.identity).catch(() => undefined);
    });
  }

  private async readTranscription(reader: TextStreamReader, identity: string): Promise<void> {
    const attributes = reader.info.attributes ?? {};
    // Agents also publish what they heard the caller say (transcribed_track_id = our track): not agent words.
    if (this.microphoneTrackSid && attributes["lk.transcribed_track_id"] === this.microphoneTrackSid) return;
    const segmentId = attributes["lk.segment_id"] ?? reader.info.streamId;
    let length = 0;
    for await (const delta of reader) {
      length += delta.length;
      if (length > MAX_TRANSCRIPTION_CHARS) break;
      this.emit({ type: "transcription", identity, segmentId, delta });
    }
    this.emit({ type: "transcription_end", identity, segmentId });
  }
}
