/**
 * The ObserverRoom port over @livekit/rtc-node: joins with a subscribe-only (hidden) token,
 * publishes nothing, reads every remote audio track as 48 kHz mono and every `lk.transcription`
 * stream, attributed to the owner of the track it transcribes.
 */
import {
  type AudioFrame,
  AudioStream,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  type TextStreamReader,
  TrackKind,
} from "@livekit/rtc-node";
import type { Clock } from "../media/clock.ts";
import { describeDisconnect } from "../room/disconnect-reason.ts";
import { installRoomEventFilter } from "../room/room-event-filter.ts";
import type {
  ObserverRoom,
  ObserverRoomConnectOptions,
  ObserverRoomConnector,
  ObserverRoomEvent,
} from "./observer-room.ts";

const SAMPLE_RATE = 48_000;
/** As the caller receives (livekit-call-room.ts): sample-exact positions, a fifth of 10 ms frames' events. */
const RECEIVE_FRAME_MS = 50;
const TRANSCRIPTION_TOPIC = "lk.transcription";
const MAX_SEGMENT_CHARS = 20_000;

export class LiveKitObserverRoomConnector implements ObserverRoomConnector {
  constructor(private readonly clock: Clock) {}

  async connect(options: ObserverRoomConnectOptions): Promise<ObserverRoom> {
    const room = new LiveKitObserverRoom(this.clock, options.onEvent);
    try {
      await room.open(options.url, options.token, options.signal);
      return room;
    } catch (cause) {
      await room.leave();
      throw cause;
    }
  }
}

class LiveKitObserverRoom implements ObserverRoom {
  private readonly room = new Room();
  private readonly readers = new Set<ReadableStreamDefaultReader<AudioFrame>>();
  private readonly reading = new Set<string>();
  private left = false;
  private leaving: Promise<void> | undefined;
  private joined = false;

  constructor(
    private readonly clock: Clock,
    private readonly onEvent: (event: ObserverRoomEvent) => void,
  ) {
    installRoomEventFilter(this.room);
  }

  get roomName(): string {
    return this.room.name ?? "";
  }

  async open(url: string, token: string, signal: AbortSignal): Promise<void> {
    this.listen();
    const aborted = new Promise<never>((_, reject) => {
      const fail = () => reject(new Error("aborted while connecting"));
      if (signal.aborted) fail();
      else signal.addEventListener("abort", fail, { once: true });
    });
    aborted.catch(() => undefined);
    // rtc-node's connect cannot be cancelled: on abort we stop waiting and leave() cleans up.
    const connected = this.room.connect(url, token, { autoSubscribe: true, dynacast: false });
    connected.catch(() => undefined);
    await Promise.race([connected, aborted]);
    this.joined = true;
    for (const p of this.room.remoteParticipants.values()) {
      this.emit({ type: "participant_joined", identity: p.identity });
      for (const pub of p.trackPublications.values()) if (pub.track) this.read(pub.track, p);
    }
  }

  leave(): Promise<void> {
    this.leaving ??= this.close();
    return this.leaving;
  }

  private async close(): Promise<void> {
    this.left = true;
    for (const r of this.readers) await r.cancel().catch(() => undefined);
    this.readers.clear();
    await this.room.disconnect().catch(() => undefined);
  }

  private emit(event: ObserverRoomEvent): void {
    if (this.left) return;
    try {
      this.onEvent(event);
    } catch {
      // A listener fault must not unwind into rtc-node's event dispatch.
    }
  }

  private listen(): void {
    this.room
      .on(RoomEvent.ParticipantConnected, (p: RemoteParticipant) => {
        if (this.joined) this.emit({ type: "participant_joined", identity: p.identity });
      })
      .on(RoomEvent.ParticipantDisconnected, (p: RemoteParticipant) =>
        this.emit({ type: "participant_left", identity: p.identity }),
      )
      .on(RoomEvent.TrackSubscribed, (track: RemoteTrack, _pub, p: RemoteParticipant) => this.read(track, p))
      .on(RoomEvent.Disconnected, (reason) => {
        const { name, normal } = describeDisconnect(reason);
        this.emit({ type: "disconnected", reason: name, normal });
      });
    this.room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, from) => {
      this.readWords(reader, from.identity).catch(() => undefined);
    });
  }

  /** The identity owning track `sid`, if it is a remote participant's. */
  private ownerOf(sid: string | undefined): string | undefined {
    if (!sid) return undefined;
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

  private read(track: RemoteTrack, participant: RemoteParticipant): void {
    const sid = track.sid ?? "";
    if (track.kind !== TrackKind.KIND_AUDIO || this.reading.has(sid) || this.left) return;
    this.reading.add(sid);
    const reader = new AudioStream(track, {
      sampleRate: SAMPLE_RATE,
      numChannels: 1,
      frameSizeMs: RECEIVE_FRAME_MS,
    }).getReader();
    this.readers.add(reader);
    const identity = participant.identity;
    const pump = async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || !value) return;
        this.emit({
          type: "audio",
          identity,
          // Copied: the recorder keeps chunks past this callback.
          audio: { samples: value.data.slice(), sampleRate: value.sampleRate },
          receivedAtMs: this.clock.now(),
        });
      }
    };
    pump()
      .catch(() => undefined)
      .finally(() => {
        this.readers.delete(reader);
        this.reading.delete(sid);
      });
  }
}
