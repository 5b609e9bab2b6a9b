/**
 * The ObserverRoom port over @livekit/rtc-node: joins with a subscribe-only (hidden) token,
 * publishes nothing, reads every remote audio track as 48 kHz mono and every `lk.transcription`
 * stream, attributed to the owner of the track it transcribes. The join is rtc-participant.ts.
 */
import { type RemoteParticipant, type Room, RoomEvent, type TextStreamReader } from "@livekit/rtc-node";
import type { Clock } from "../media/clock.ts";
import { describeDisconnect } from "../room/disconnect-reason.ts";
import { LIVEKIT_SAMPLE_RATE, RECEIVE_FRAME_MS, TRANSCRIPTION_TOPIC } from "../room/livekit-call-room.ts";
import { joinRtcParticipant, openOrLeave, type RtcParticipant } from "../room/rtc-participant.ts";
import type {
  ObserverRoom,
  ObserverRoomConnectOptions,
  ObserverRoomConnector,
  ObserverRoomEvent,
} from "./observer-room.ts";

const MAX_SEGMENT_CHARS = 20_000;

export class LiveKitObserverRoomConnector implements ObserverRoomConnector {
  constructor(private readonly clock: Clock) {}

  async connect(options: ObserverRoomConnectOptions): Promise<ObserverRoom> {
    return openOrLeave(new LiveKitObserverRoom(this.clock, options.onEvent), options);
  }
}

class LiveKitObserverRoom implements ObserverRoom {
  private participant: RtcParticipant | undefined;
  /** The Room from before the connect on (transcriptions may arrive while joining). */
  private room: Room | undefined;
  private left = false;
  private leaving: Promise<void> | undefined;
  private joined = false;

  constructor(
    private readonly clock: Clock,
    private readonly onEvent: (event: ObserverRoomEvent) => void,
  ) {}

  get roomName(): string {
    return this.room?.name ?? "";
  }

  async open(url: string, token: string, signal: AbortSignal): Promise<void> {
    this.participant = await joinRtcParticipant({
      url,
      token,
      signal,
      role: "observer",
      autoSubscribe: true,
      filterForeignEvents: true,
      onRoom: (room) => this.listen(room),
      onConnected: (room) => {
        this.joined = true;
        for (const p of room.remoteParticipants.values()) {
          this.emit({ type: "participant_joined", identity: p.identity });
        }
      },
      audio: {
        sampleRate: LIVEKIT_SAMPLE_RATE,
        frameMs: RECEIVE_FRAME_MS,
        onFrame: (frame, identity) =>
          this.emit({
            type: "audio",
            identity,
            // Copied: the recorder keeps chunks past this callback.
            audio: { samples: frame.data.slice(), sampleRate: frame.sampleRate },
            receivedAtMs: this.clock.now(),
          }),
      },
    });
    // Left while joining: the join went on regardless, so its participant is closed here.
    if (this.left) await this.participant.close();
  }

  leave(): Promise<void> {
    this.left = true;
    this.leaving ??= this.participant?.close() ?? Promise.resolve();
    return this.leaving;
  }

  private emit(event: ObserverRoomEvent): void {
    if (this.left) return;
    try {
      this.onEvent(event);
    } catch {
      // A listener fault must not unwind into rtc-node's event dispatch.
    }
  }

  private listen(room: Room): void {
    this.room = room;
    room
      .on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => {
        if (this.joined) this.emit({ type: "participant_joined", identity: p.identity });
      })
      .on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) =>
        this.emit({ type: "participant_left", identity: p.identity }),
      )
      .on(RoomEvent.Disconnected, (reason) => {
        const { name, normal } = describeDisconnect(reason);
        this.emit({ type: "disconnected", reason: name, normal });
      });
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, from) => {
      this.readWords(reader, from.identity).catch(() => undefined);
    });
  }

  /** The identity owning track `sid`, if it is a remote participant's. */
  private ownerOf(sid: string | undefined): string | undefined {
    if (!sid || !this.room) return undefined;
    for (const p of this.room.remoteParticipants.values())
      if (p.trackPublications.has(sid)) return p.identity;
    return undefined;
  }

  private async readWords(reader: TextStreamReader, sender: string): Promise<void> {
    const attributes = reader.info.attributes ?? {};
    const speaker = this.ownerOf(attributes["lk.transcribed_track_id"]) ?? sender;
    const segmentId = attributes["lk.segment_id"] ?? reader.info.streamId;
    let length = 0;
    for await (const delta of reader) {
      length += delta.length;
      if (length > MAX_SEGMENT_CHARS) break;
      this.emit({
        type: "words",
        speaker,
        segmentId,
        streamId: reader.info.streamId,
        delta,
        atMs: this.clock.now(),
      });
    }
  }
}
