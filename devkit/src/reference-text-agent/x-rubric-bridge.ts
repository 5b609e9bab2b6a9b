/**
 * The protocol bridge: X-RUBRIC frames in, bot actions out. This is the part to copy into your
 * own agent — replace `bot.respond` with your LLM and keep the rest:
 *
 *   {"type":"message","content":"…"} → bot → function_call…, function_call_result…, {"content":"…"}
 *   {"type":"end_call"}              → close 1000
 */
import { decodeCallerFrame, parseDtmf, stripDtmf } from "@spar/protocol";
import type { RawData, WebSocket } from "ws";
import type { AgentAction, Bot, CallerMessage } from "./bot.ts";

/** How a turn reaches the socket. `protocolDelivery` follows the spec; misbehaviours.ts bends it. */
export interface Delivery {
  /** Runs once the connection is accepted, before any caller message. */
  open(socket: WebSocket, bot: Bot): Promise<void>;
  /** Sends the actions of one turn, in order. */
  turn(socket: WebSocket, actions: readonly AgentAction[]): Promise<void>;
}

/** The wire form of one action (docs/text-protocol.md § Frames: agent → platform). */
export function encodeAction(action: AgentAction): string {
  switch (action.type) {
    case "reply":
      return JSON.stringify(
        action.metadata
          ? { content: action.content, metadata: action.metadata }
          : { content: action.content },
      );
    case "end_call":
      return JSON.stringify({ type: "end_call", content: action.content });
    case "metadata":
      return JSON.stringify({ type: "metadata", metadata: action.metadata });
    case "function_call":
      return JSON.stringify({
        type: "function_call",
        id: action.id,
        name: action.name,
        arguments: action.arguments,
      });
    case "function_call_result":
      return JSON.stringify({
        type: "function_call_result",
        id: action.id,
        name: action.name,
        result: action.result,
      });
  }
}

/** Sends only while open: a frame after the close would be lost anyway, and `ws` would error. */
export function sendFrame(socket: WebSocket, frame: string): void {
  if (socket.readyState === socket.OPEN) socket.send(frame);
}

export const protocolDelivery: Delivery = {
  async open() {},
  async turn(socket, actions) {
    for (const action of actions) {
      sendFrame(socket, encodeAction(action));
      if (action.type === "end_call") socket.close(1000, "call ended");
    }
  },
};

/** What the bot hears: the text without DTMF tags, and the keys pressed. */
export function hear(content: string): CallerMessage {
  return {
    text: stripDtmf(content),
    digits: parseDtmf(content)
      .map((m) => m.digits)
      .join(""),
  };
}

/** Serves one accepted connection until it closes. */
export function bridgeConnection(socket: WebSocket, bot: Bot, delivery: Delivery = protocolDelivery): void {
  socket.on("error", () => {}); // `ws` closes the socket on errors itself; unheard, an error would throw
  // Turns go out one after another even when a delivery is slow, so replies never reorder.
  let turns = run(() => delivery.open(socket, bot));

  function run(task: () => Promise<void>): Promise<void> {
    return Promise.resolve()
      .then(task)
      .catch((error: unknown) => {
        socket.close(1011, "internal error");
        console.error("reference text agent: turn failed", error);
      });
  }

  socket.on("message", (data: RawData, isBinary: boolean) => {
    if (socket.readyState !== socket.OPEN) return;
    if (isBinary) {
      socket.close(1003, "X-RUBRIC frames are JSON text");
      return;
    }
    const decoded = decodeCallerFrame(rawToString(data));
    if (!decoded.ok) {
      socket.close(1003, "not an X-RUBRIC caller frame");
      return;
    }
    if (decoded.frame.type === "end_call") {
      socket.close(1000, "caller ended the call");
      return;
    }
    const actions = bot.respond(hear(decoded.frame.content));
    turns = turns.then(() => run(() => delivery.turn(socket, actions)));
  });
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString("utf8");
}
