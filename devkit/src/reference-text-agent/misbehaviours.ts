/**
 * A delivery that breaks the protocol on purpose, so tests can watch the platform handle each
 * failure (spec/text-protocol.md § Lifecycle). Kept apart from x-rubric-bridge.ts so the
 * well-behaved path stays short enough to copy.
 */
import { MAX_AGENT_FRAME_BYTES } from "@spar/protocol";
import type { WebSocket } from "ws";
import type { Behavior } from "./behavior.ts";
import type { AgentAction } from "./bot.ts";
import { type Delivery, encodeAction, protocolDelivery, sendFrame } from "./x-rubric-bridge.ts";

const FINAL_WORDS = "I have to go now. Goodbye!";

export function createMisbehavingDelivery(behavior: Behavior): Delivery {
  let turnsSent = 0;
  const reached = (limit: number | undefined) => limit !== undefined && turnsSent >= limit;

  /** The wire frames for one action, bent by the switches that apply to replies. */
  function framesFor(action: AgentAction): string[] {
    if (action.type !== "reply") return [encodeAction(action)];
    const frames = [replyFrame(action)];
    if (behavior.twoReplies) frames.push(JSON.stringify({ content: "And one more thing: I am still here." }));
    return frames;
  }

  function replyFrame(action: Extract<AgentAction, { type: "reply" }>): string {
    if (behavior.garbage) return `this is not JSON {${action.content}`;
    if (behavior.badContent) return JSON.stringify({ content: 42 });
    if (behavior.unknownType) return JSON.stringify({ type: "thinking_out_loud", content: action.content });
    if (behavior.oversize) return JSON.stringify({ content: "x".repeat(MAX_AGENT_FRAME_BYTES + 1) });
    return encodeAction(action);
  }

  function onlyFunctions(actions: readonly AgentAction[]): AgentAction[] {
    const functions = actions.filter((a) => a.type === "function_call" || a.type === "function_call_result");
    if (functions.length > 0) return functions;
    // A turn without tools still shows activity, so the test sees frames but never a turn.
    return [
      { type: "function_call", id: "call_thinking", name: "think", arguments: {} },
      { type: "function_call_result", id: "call_thinking", name: "think", result: { done: false } },
    ];
  }

  async function send(socket: WebSocket, actions: readonly AgentAction[]): Promise<void> {
    for (const action of actions) {
      for (const frame of framesFor(action)) sendFrame(socket, frame);
      if (action.type === "reply" || action.type === "end_call") turnsSent++;
      if (action.type === "end_call") socket.close(1000, "call ended");
    }
  }

  return {
    async open(socket, bot) {
      if (!behavior.greet) return;
      await sleep(behavior.delayMs);
      // The greeting is not an answer to a message, so the reply-bending switches leave it alone.
      sendFrame(socket, encodeAction({ type: "reply", content: bot.greeting }));
      turnsSent++;
    },
    async turn(socket, actions) {
      if (behavior.silent) return;
      if (reached(behavior.dropAfter)) {
        socket.terminate(); // destroys the TCP socket: no close frame, the peer sees 1006
        return;
      }
      if (reached(behavior.closeAfter)) {
        if (behavior.closeCode === 1005) socket.close();
        else socket.close(behavior.closeCode, "close_after");
        return;
      }
      await sleep(behavior.delayMs);
      if (reached(behavior.endAfter)) {
        await send(socket, [{ type: "end_call", content: FINAL_WORDS }]);
        return;
      }
      if (behavior.functionsOnly) {
        await protocolDelivery.turn(socket, onlyFunctions(actions));
        return;
      }
      await send(socket, actions);
    },
  };
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
