import { AppError, type TranscriptEntry } from "@spar/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, type FakeResponder, startFakeOpenAI } from "../../devkit/src/fake-openai/index.ts";
import { repliesSinceLastCaller } from "./brain.ts";
import { CALL_CONNECTED, createLlmCaller } from "./llm-caller.ts";

const KEY = "sk-caller-test";
let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(respond: FakeResponder, opts: { maxTurns?: number; sendDtmf?: boolean } = {}) {
  server = await startFakeOpenAI({ apiKey: KEY, respond });
  const brain = createLlmCaller({
    llm: { base_url: server.baseUrl, model: "caller-model", api_key: KEY },
    persona: "An impatient customer who was double charged",
    goal: "Get a refund for $19.99",
    maxTurns: opts.maxTurns ?? 5,
    sendDtmf: opts.sendDtmf ?? false,
    client: { sleep: async () => {} },
  });
  return { server, brain };
}

const signal = new AbortController().signal;
const at = (
  role: TranscriptEntry["role"],
  content: string,
  extra: Partial<TranscriptEntry> = {},
): TranscriptEntry => ({
  role,
  content,
  at_ms: 0,
  ...extra,
});
const viewOf = (transcript: TranscriptEntry[]) => ({
  transcript,
  repliesSinceLastCaller: repliesSinceLastCaller(transcript),
});

describe("LLM caller", () => {
  it("opens the call with the persona prompt and speaks first", async () => {
    const { server, brain } = await setup(() => ({ content: "  Hi, I was charged twice.  " }));
    expect(await brain.next(viewOf([]), signal)).toEqual({ kind: "say", text: "Hi, I was charged twice." });
    const req = server.chatRequests()[0];
    expect(req?.model).toBe("caller-model");
    expect(req?.messages[0]?.role).toBe("system");
    expect(req?.messages[0]?.content).toMatch(/You are the CALLER/);
    expect(req?.messages[0]?.content).toMatch(/double charged/);
    expect(req?.messages[0]?.content).toMatch(/refund for \$19\.99/);
    expect(req?.messages.slice(1)).toEqual([{ role: "user", content: CALL_CONNECTED }]);
    expect(req?.tools?.map((t) => t.function.name)).toEqual(["end_call"]);
    expect(req?.tool_choice).toBe("auto");
  });

  it("shows agent turns as user and its own as assistant, hiding function calls", async () => {
    const { server, brain } = await setup(() => ({ content: "My account is 42" }));
    const transcript = [
      at("agent", "Hello, billing here."),
      at("user", "I was charged twice"),
      at("function_call", "", { data: { name: "lookup", arguments: { q: 1 } } }),
      at("function_call_result", "", { data: { result: "ok" } }),
      at("agent", "Which account?"),
    ];
    await brain.next(viewOf(transcript), signal);
    expect(server.chatRequests()[0]?.messages.slice(1)).toEqual([
      { role: "user", content: "Hello, billing here." },
      { role: "assistant", content: "I was charged twice" },
      { role: "user", content: "Which account?" },
    ]);
  });

  it("turns send_dtmf into a DTMF tag after the spoken words", async () => {
    const { server, brain } = await setup(
      () => ({ content: "Here it is", toolCalls: [{ name: "send_dtmf", arguments: { digits: "1234#" } }] }),
      { sendDtmf: true },
    );
    expect(await brain.next(viewOf([at("agent", "Enter your PIN")]), signal)).toEqual({
      kind: "say",
      text: 'Here it is <dtmf digits="1234#"/>',
    });
    expect(server.chatRequests()[0]?.tools?.map((t) => t.function.name)).toEqual(["end_call", "send_dtmf"]);
  });

  it("says its last words, then ends on the next turn after end_call", async () => {
    const { server, brain } = await setup(() => ({
      content: "Thanks, bye!",
      toolCalls: [{ name: "end_call" }],
    }));
    expect(await brain.next(viewOf([at("agent", "Refund issued.")]), signal)).toEqual({
      kind: "say",
      text: "Thanks, bye!",
    });
    expect(await brain.next(viewOf([at("agent", "Bye")]), signal)).toEqual({ kind: "end" });
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("ends at once on a bare end_call", async () => {
    const { brain } = await setup(() => ({ content: null, toolCalls: [{ name: "end_call" }] }));
    expect(await brain.next(viewOf([at("agent", "Anything else?")]), signal)).toEqual({ kind: "end" });
  });

  it("ends after max_turns caller messages without asking the model again", async () => {
    const { server, brain } = await setup((_r, i) => ({ content: `turn ${i}` }), { maxTurns: 2 });
    expect(await brain.next(viewOf([]), signal)).toEqual({ kind: "say", text: "turn 0" });
    expect(await brain.next(viewOf([at("user", "turn 0"), at("agent", "a")]), signal)).toEqual({
      kind: "say",
      text: "turn 1",
    });
    expect(await brain.next(viewOf([at("agent", "b")]), signal)).toEqual({ kind: "end" });
    expect(server.chatRequests()).toHaveLength(2);
  });

  it("rejects send_dtmf with invalid digits or when DTMF is not enabled", async () => {
    const bad = await setup(
      () => ({ content: null, toolCalls: [{ name: "send_dtmf", arguments: { digits: "12a" } }] }),
      {
        sendDtmf: true,
      },
    );
    await expect(bad.brain.next(viewOf([]), signal)).rejects.toThrow(/invalid send_dtmf digits/);
    await bad.server.close();
    const off = await setup(() => ({
      content: null,
      toolCalls: [{ name: "send_dtmf", arguments: { digits: "1" } }],
    }));
    await expect(off.brain.next(viewOf([]), signal)).rejects.toThrow(/unknown tool "send_dtmf"/);
  });

  it("fails clearly when the model says nothing and calls no tool", async () => {
    const { brain } = await setup(() => ({ content: "", finishReason: "length" }));
    const e = await brain.next(viewOf([]), signal).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(AppError);
    expect(e).toHaveProperty(
      "message",
      "the caller model returned neither words nor a tool call (finish_reason: length)",
    );
  });

  it("surfaces an unreachable model as an error the session can record", async () => {
    const { brain } = await setup(() => ({ kind: "error", status: 500, message: "model overloaded" }));
    await expect(brain.next(viewOf([]), signal)).rejects.toThrow(
      /HTTP 500: model overloaded \(after 3 attempts\)/,
    );
  });
});
