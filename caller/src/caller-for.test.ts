import { parseSuite, type Suite } from "@spar/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, startFakeOpenAI } from "../../devkit/src/fake-openai/index.ts";
import { callerFor } from "./caller-for.ts";

let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function suiteOf(tree: unknown): Suite {
  const r = parseSuite(tree);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.suite;
}

const signal = new AbortController().signal;
const empty = { transcript: [], repliesSinceLastCaller: [] };

describe("callerFor", () => {
  it("plays the script when the scenario has one", async () => {
    const suite = suiteOf({
      version: 1,
      agent: { id: "a", text: { url: "ws://127.0.0.1:1/ws", secret: "s" } },
      scenarios: [{ id: "s1", script: [{ say: "hello" }] }],
    });
    const brain = callerFor(suite.scenarios[0]!, suite);
    expect(await brain.next(empty, signal)).toEqual({ kind: "say", text: "hello" });
  });

  it("uses the suite's caller.llm for a persona scenario, with its max_turns and send_dtmf", async () => {
    server = await startFakeOpenAI({ apiKey: "k", respond: () => ({ content: "Hello?" }) });
    const suite = suiteOf({
      version: 1,
      agent: { id: "a", text: { url: "ws://127.0.0.1:1/ws", secret: "s" } },
      caller: { llm: { base_url: server.baseUrl, model: "m", api_key: "k" } },
      scenarios: [{ id: "p", persona: "A pirate", max_turns: 1, send_dtmf: true }],
    });
    const brain = callerFor(suite.scenarios[0]!, suite);
    expect(await brain.next(empty, signal)).toEqual({ kind: "say", text: "Hello?" });
    expect(await brain.next(empty, signal)).toEqual({ kind: "end" });
    const req = server.chatRequests()[0];
    expect(req?.messages[0]?.content).toMatch(/A pirate/);
    expect(req?.tools?.map((t) => t.function.name)).toEqual(["end_call", "send_dtmf"]);
  });

  it("refuses a persona scenario without caller.llm as a config error", () => {
    const suite = suiteOf({
      version: 1,
      agent: { id: "a", text: { url: "ws://127.0.0.1:1/ws", secret: "s" } },
      scenarios: [{ id: "s1", script: [{ say: "x" }] }],
    });
    expect(() => callerFor({ id: "p", persona: "x" }, suite)).toThrow(/needs caller.llm/);
  });
});
