/**
 * The persona caller: an LLM plays the CALLER over any OpenAI-compatible endpoint. The agent's
 * turns are the model's "user" messages and the caller's own turns its "assistant" messages;
 * function calls are not shown (a phone caller cannot see the agent's tools).
 *
 * `end_call` with words: the words are said first and the call ends on the next `next()`, so
 * the agent hears the goodbye (and the transcript records it) before `end_call` is sent.
 */
import { AppError, DTMF_DIGITS, dtmfTag, type LlmConfig, type TranscriptEntry } from "@spar/protocol";
import { z } from "zod";
import type { CallerBrain, CallerMove, ConversationView } from "./brain.ts";
import { type ChatClientOptions, createChatClient } from "./openai-client.ts";
import type { ChatMessage, ChatTool } from "./openai-wire.ts";

export interface LlmCallerOptions {
  llm: LlmConfig;
  persona?: string;
  goal?: string;
  /** Caller messages before the caller hangs up on its own. */
  maxTurns: number;
  /** Offer the `send_dtmf` tool. */
  sendDtmf: boolean;
  fetch?: typeof fetch;
  /** Client tuning (timeouts, retries, an injected sleep for tests). */
  client?: Omit<ChatClientOptions, "llm" | "fetch">;
}

const END_CALL: ChatTool = {
  type: "function",
  function: {
    name: "end_call",
    description:
      "Hang up the phone. Call it when your goal is reached, the agent cannot help, or the conversation is over. Put any last words in your message content.",
    parameters: { type: "object", properties: {}, additionalProperties: false },
  },
};

const SEND_DTMF: ChatTool = {
  type: "function",
  function: {
    name: "send_dtmf",
    description:
      "Press keys on the phone keypad (for menus or entering numbers). Digits 0-9, * and #, 1 to 32 of them.",
    parameters: {
      type: "object",
      properties: { digits: { type: "string", pattern: "^[0-9*#]{1,32}$" } },
      required: ["digits"],
      additionalProperties: false,
    },
  },
};

const sendDtmfArgs = z.object({ digits: z.string().regex(DTMF_DIGITS) });

export function systemPrompt(persona: string | undefined, goal: string | undefined): string {
  return [
    "You are role-playing a person who is PHONING a company's customer-service agent. You are the CALLER, never the agent.",
    persona ? `Who you are: ${persona}` : "",
    goal ? `What you want from this call: ${goal}` : "",
    "Rules: speak only as the caller, in the first person, one short spoken turn at a time (1-3 sentences).",
    "Write only the words you say aloud: no narration, no stage directions, no speaker labels, no quotes.",
    "Never play the agent or invent the agent's replies. The agent's words arrive as the user messages.",
    "When the goal is reached, or it clearly cannot be, say a brief goodbye and call the end_call tool.",
  ]
    .filter(Boolean)
    .join("\n");
}

/** Shown when the caller speaks first, so the conversation starts with a user message as most APIs expect. */
export const CALL_CONNECTED =
  "[The call has connected. The agent has not said anything yet; you speak first.]";

/** The caller model's view: agent → user, caller → assistant, function calls hidden. */
export function callerMessages(system: string, transcript: readonly TranscriptEntry[]): ChatMessage[] {
  const messages: ChatMessage[] = [{ role: "system", content: system }];
  for (const entry of transcript) {
    if (entry.role === "agent") messages.push({ role: "user", content: entry.content });
    else if (entry.role === "user") {
      if (messages.length === 1) messages.push({ role: "user", content: CALL_CONNECTED });
      messages.push({ role: "assistant", content: entry.content });
    }
  }
  if (messages.length === 1) messages.push({ role: "user", content: CALL_CONNECTED });
  return messages;
}

export function createLlmCaller(opts: LlmCallerOptions): CallerBrain {
  const client = createChatClient({
    ...opts.client,
    llm: opts.llm,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  const system = systemPrompt(opts.persona, opts.goal);
  const tools = opts.sendDtmf ? [END_CALL, SEND_DTMF] : [END_CALL];
  let turns = 0;
  let hangUpNext = false;

  return {
    async next(view: ConversationView, signal: AbortSignal): Promise<CallerMove> {
      if (hangUpNext || turns >= opts.maxTurns) return { kind: "end" };
      const result = await client.complete(
        { messages: callerMessages(system, view.transcript), tools, tool_choice: "auto" },
        signal,
      );
      let text = (result.content ?? "").trim();
      let ending = false;
      for (const call of result.toolCalls) {
        if (call.name === "end_call") ending = true;
        else if (call.name === "send_dtmf" && opts.sendDtmf) {
          text = text
            ? `${text} ${dtmfTag(decodeDigits(call.arguments))}`
            : dtmfTag(decodeDigits(call.arguments));
        } else {
          throw new AppError("upstream_failed", `the caller model called an unknown tool "${call.name}"`);
        }
      }
      if (ending && !text) return { kind: "end" };
      if (!text) {
        throw new AppError(
          "upstream_failed",
          `the caller model returned neither words nor a tool call (finish_reason: ${result.finishReason ?? "none"})`,
        );
      }
      hangUpNext = ending;
      turns++;
      return { kind: "say", text };
    },
  };
}

function decodeDigits(raw: string): string {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new AppError(
      "upstream_failed",
      `the caller model sent send_dtmf arguments that are not JSON: ${raw.slice(0, 200)}`,
    );
  }
  const r = sendDtmfArgs.safeParse(json);
  if (!r.success) {
    throw new AppError(
      "upstream_failed",
      `the caller model sent invalid send_dtmf digits: ${raw.slice(0, 200)}`,
    );
  }
  return r.data.digits;
}
