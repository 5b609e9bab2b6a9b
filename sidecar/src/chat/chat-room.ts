/**
 * The port a chat call talks to its room through: one participant (the simulated caller) that
 * publishes no audio, sends text on `lk.chat`, and hears whole texts from the others. The rtc-node
 * adapter is livekit-chat-room.ts; the call shell knows only this shape.
 */
import type { ChatSource } from "./chat-types.ts";

/** `lk.chat`: where LiveKit Agents reads typed user input and where chat replies are written. */
export const CHAT_TOPIC = "lk.chat";
/**
 * Topic of the job's `publish_data_message` (a reliable data packet, the JSON-encoded object).
 * An agent reads it from `RoomEvent.DataReceived` with this topic.
 */
export const DATA_MESSAGE_TOPIC = "spar.publish_data_message";

export type ChatRoomEvent =
  | { type: "participant_joined"; identity: string }
  | { type: "participant_left"; identity: string }
  /** A remote participant's whole text: an `lk.chat` stream, or a transcription segment once its stream closed. */
  | { type: "text"; identity: string; source: ChatSource; text: string }
  /** The caller is out of the room; `normal` when the room closed or the caller was removed. */
  | { type: "disconnected"; reason: string; normal: boolean };

export interface ChatRoom {
  readonly roomName: string;
  remoteIdentities(): string[];
  /** One caller message as an `lk.chat` text stream. */
  sendChat(text: string): Promise<void>;
  /** One reliable data packet on DATA_MESSAGE_TOPIC. */
  publishDataMessage(json: string): Promise<void>;
  /** Leaves the room; never throws. */
  leave(): Promise<void>;
}

export interface ChatRoomConnectOptions {
  url: string;
  token: string;
  /** Every room event, from the start of the join (the caller holds them until `connect` resolves). */
  onEvent: (event: ChatRoomEvent) => void;
  signal: AbortSignal;
}

/** Opens rooms. Rejects with a message fit for a `connection_failed` result when it cannot. */
export interface ChatRoomConnector {
  connect(options: ChatRoomConnectOptions): Promise<ChatRoom>;
}
