/**
 * The ChatRoom port over @livekit/rtc-node: joins with URL + token and publishes no track,
 * writes the caller's messages as `lk.chat` text streams, and reads whole texts from the
 * others' `lk.chat` streams and `lk.transcription` segments (a segment counts once its stream
 * closes: LiveKit Agents writes an agent's words into one stream per segment as they are spoken).
 */
import { type RemoteParticipant, type Room, RoomEvent, type TextStreamReader } from "@livekit/rtc-node";
import { describeDisconnect } from "../room/disconnect-reason.ts";
// `lk.transcription`: where LiveKit Agents writes what the agent says (one stream per segment).
import { TRANSCRIPTION_TOPIC } from "../room/livekit-call-room.ts";
import { joinRtcParticipant, openOrLeave, type RtcParticipant } from "../room/rtc-participant.ts";
import {
  CHAT_TOPIC,
  type ChatRoom,
  type ChatRoomConnectOptions,
  type ChatRoomConnector,
  type ChatRoomEvent,
  DATA_MESSAGE_TOPIC,
} from "./chat-room.ts";
import type { ChatSource } from "./chat-types.ts";

/** Longer texts are cut here: a chat reply this long is a fault, not a reply to read. */
export const MAX_CHAT_TEXT_CHARS = 20_000;

export class LiveKitChatRoomConnector implements ChatRoomConnector {
  /** One attempt: a server that drops the caller while it joins fails the call (connection_failed). */
  async connect(options: ChatRoomConnectOptions): Promise<ChatRoom> {
    return openOrLeave(new LiveKitChatRoom(options.onEvent), options);
  }
}

class LiveKitChatRoom implements ChatRoom {
  private participant: RtcParticipant | undefined;
  private leaving: Promise<void> | undefined;

  constructor(private readonly onEvent: (event: ChatRoomEvent) => void) {}

  get roomName(): string {
    return this.participant?.room.name ?? "";
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
      autoSubscribe: false,
      filterForeignEvents: true,
      onRoom: (room) => this.listen(room),
      // A participant without tracks gets its publisher connection on its first send; made here,
      // as voice's connect stage publishes the microphone, so the first message's latency is the
      // agent's and not our own connection set-up (~0.5 s against the dev server).
      warmUpData: true,
    });
  }

  async sendChat(text: string): Promise<void> {
    await this.local().sendText(text, { topic: CHAT_TOPIC });
  }

  async publishDataMessage(json: string): Promise<void> {
    await this.local().publishData(new TextEncoder().encode(json), {
      reliable: true,
      topic: DATA_MESSAGE_TOPIC,
    });
  }

  leave(): Promise<void> {
    this.leaving ??= this.participant?.close() ?? Promise.resolve();
    return this.leaving;
  }

  private local() {
    const local = this.participant?.room.localParticipant;
    if (!local || this.leaving) throw new Error("the caller is not in the room");
    return local;
  }

  private emit(event: ChatRoomEvent): void {
    // From the start of the join: a greeting written while the caller joins is not lost (the
    // shell holds events until it has the room).
    if (this.leaving) return;
    try {
      this.onEvent(event);
    } catch {
      // A listener fault must not unwind into rtc-node's event dispatch.
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
    const handler = (source: ChatSource) => (reader: TextStreamReader, from: { identity: string }) => {
      readWhole(reader)
        .then((text) => this.emit({ type: "text", identity: from.identity, source, text }))
        .catch(() => undefined);
    };
    room.registerTextStreamHandler(CHAT_TOPIC, handler("chat"));
    room.registerTextStreamHandler(TRANSCRIPTION_TOPIC, handler("transcription"));
  }
}

/** The stream's text, read to its close (cut at MAX_CHAT_TEXT_CHARS). */
async function readWhole(reader: TextStreamReader): Promise<string> {
  let text = "";
  for await (const delta of reader) {
    text += delta;
    if (text.length >= MAX_CHAT_TEXT_CHARS) return text.slice(0, MAX_CHAT_TEXT_CHARS);
  }
  return text;
}
