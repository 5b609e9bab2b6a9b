/**
 * The reference bot's chat mode (LiveKit's text mode, Spar's chat runs): no audio; each caller
 * message on `lk.chat` is answered with the next scripted line on `lk.chat`, and optionally also
 * as an `lk.transcription` segment the way LiveKit Agents writes an agent's words. It can greet,
 * stay silent (timeout tests) and leave after a number of replies (the agent ending the call).
 */
import { type Room, RoomEvent, type TextStreamReader } from "@livekit/rtc-node";
import { type Clock, warmUpPublisher } from "@spar/sidecar";
import { TRANSCRIPTION_TOPIC } from "./transcription-writer.ts";

export const CHAT_TOPIC = "lk.chat";

export interface ChatModeOptions {
  /** Delay between a caller message arriving and the reply going out (default 100 ms). */
  replyDelayMs?: number;
  /** Never reply (the caller's per-turn timeout must fire). */
  silent?: boolean;
  /** Sent on `lk.chat` as soon as the caller is in the room. */
  greeting?: string;
  /** Also publish each line as an `lk.transcription` segment (so callers must not count it twice). */
  transcription?: boolean;
  /** Leave the room 100 ms after this many replies (the agent ends the call). */
  leaveAfterReplies?: number;
}

/** What the bot saw and did in chat mode, in order. Times on the bot's clock. */
export interface ChatTruth {
  direction: "received" | "sent";
  text: string;
  atMs: number;
}

export interface ChatModeBot {
  chatLog(): ChatTruth[];
  /** Payloads of data packets received (e.g. a run's `publish_data_message`), decoded as UTF-8. */
  dataMessages(): { topic: string | undefined; text: string }[];
  close(): Promise<void>;
}

/** Whether room or own participant metadata (JSON) asks for text mode: `{"text_mode": true}`. */
export function textModeRequested(room: Room): boolean {
  const asks = (metadata: string | undefined) => {
    if (!metadata) return false;
    try {
      const parsed: unknown = JSON.parse(metadata);
      return (
        typeof parsed === "object" && parsed !== null && "text_mode" in parsed && parsed.text_mode === true
      );
    } catch {
      return false;
    }
  };
  return asks(room.metadata) || asks(room.localParticipant?.metadata);
}

export function checkChatModeOptions(o: ChatModeOptions): void {
  if (o.replyDelayMs !== undefined && !(Number.isFinite(o.replyDelayMs) && o.replyDelayMs >= 0)) {
    throw new Error(`reference bot: chat.replyDelayMs ${o.replyDelayMs} must be >= 0`);
  }
  if (
    o.leaveAfterReplies !== undefined &&
    !(Number.isInteger(o.leaveAfterReplies) && o.leaveAfterReplies >= 1)
  ) {
    throw new Error(`reference bot: chat.leaveAfterReplies ${o.leaveAfterReplies} must be an integer >= 1`);
  }
}

/** Runs chat mode in a room the bot has already joined. */
export async function runChatMode(
  room: Room,
  lines: readonly string[],
  options: ChatModeOptions,
  clock: Clock,
  callerIdentity: string | undefined,
): Promise<ChatModeBot> {
  checkChatModeOptions(options);
  const participant = room.localParticipant;
  if (!participant) throw new Error("reference bot: connected without a local participant");
  const log: ChatTruth[] = [];
  const data: { topic: string | undefined; text: string }[] = [];
  const pending = new Set<ReturnType<typeof setTimeout>>();
  let replies = 0;
  let closed = false;
  // Replies go out one after another, in the order the messages came.
  let chain: Promise<void> = Promise.resolve();

  const say = async (text: string, segmentId: string) => {
    if (closed) return;
    log.push({ direction: "sent", text, atMs: clock.now() });
    await participant.sendText(text, { topic: CHAT_TOPIC });
    if (options.transcription) {
      await participant.sendText(text, {
        topic: TRANSCRIPTION_TOPIC,
        attributes: { "lk.segment_id": segmentId, "lk.transcription_final": "true" },
      });
    }
  };
  const later = (ms: number, step: () => Promise<void>) => {
    const timer = setTimeout(() => {
      pending.delete(timer);
      chain = chain.then(step).catch((err: unknown) => console.error("[reference-bot] chat:", err));
    }, ms);
    pending.add(timer);
  };

  const onMessage = (text: string) => {
    log.push({ direction: "received", text, atMs: clock.now() });
    if (options.silent || closed) return;
    const n = replies++;
    const line = lines[n % lines.length] ?? "";
    later(options.replyDelayMs ?? 100, async () => {
      await say(line, `reply-${n + 1}`);
      if (options.leaveAfterReplies !== undefined && n + 1 === options.leaveAfterReplies) {
        later(100, async () => {
          closed = true;
          await room.disconnect();
        });
      }
    });
  };

  // Like the caller (warmUpPublisher): its own connection up front, so replies time only the bot.
  await warmUpPublisher(participant);
  room.registerTextStreamHandler(CHAT_TOPIC, (reader: TextStreamReader, from) => {
    if (callerIdentity !== undefined && from.identity !== callerIdentity) return;
    reader.readAll().then(onMessage, (err: unknown) => console.error("[reference-bot] chat read:", err));
  });
  room.on(RoomEvent.DataReceived, (payload, _participant, _kind, topic) => {
    data.push({ topic, text: new TextDecoder().decode(payload) });
  });
  if (options.greeting !== undefined) {
    const greeting = options.greeting;
    const greet = () => later(0, () => say(greeting, "greeting"));
    if (room.remoteParticipants.size > 0) greet();
    else room.once(RoomEvent.ParticipantConnected, greet);
  }

  return {
    chatLog: () => log.map((t) => ({ ...t })),
    dataMessages: () => data.map((d) => ({ ...d })),
    async close() {
      closed = true;
      for (const t of pending) clearTimeout(t);
      pending.clear();
      await chain;
      await room.disconnect();
    },
  };
}
