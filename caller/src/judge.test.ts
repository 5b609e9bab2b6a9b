import { afterEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, type FakeResponder, startFakeOpenAI } from "../../devkit/src/fake-openai/index.ts";
import { evaluateAssertions } from "./assertions.ts";
import { decodeVerdict } from "./judge.ts";
import type { RunOutcome } from "./run-outcome.ts";

const KEY = "sk-judge-test";
let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const outcome: RunOutcome = {
  status: "completed",
  endedReason: "caller_ended",
  endedBy: "caller",
  transcript: [
    { role: "user", content: "I was double charged", at_ms: 0 },
    {
      role: "function_call",
      content: "",
      at_ms: 5,
      data: { name: "issue_refund", arguments: { amount: 19.99 } },
    },
    { role: "agent", content: "I've refunded $19.99.", at_ms: 30, latency_ms: 30 },
  ],
  metadata: {},
};

async function judgeWith(respond: FakeResponder) {
  server = await startFakeOpenAI({ apiKey: KEY, respond });
  const llm = { base_url: server.baseUrl, model: "judge-model", api_key: KEY };
  const [r] = await evaluateAssertions([{ judge: "The agent offered a refund" }], outcome, { llm });
  return { result: r, server };
}

describe("LLM judge", () => {
  it("asks in JSON mode with the criterion and transcript, and returns verdict and reasoning", async () => {
    const { result, server } = await judgeWith(() => ({
      content: '{"verdict": "pass", "reasoning": "The agent refunded $19.99."}',
    }));
    expect(result).toEqual({
      kind: "judge",
      passed: true,
      detail: 'judge passed "The agent offered a refund": The agent refunded $19.99.',
      reasoning: "The agent refunded $19.99.",
    });
    const req = server.chatRequests()[0];
    expect(req?.response_format).toEqual({ type: "json_object" });
    expect(req?.model).toBe("judge-model");
    const user = req?.messages[1]?.content;
    expect(user).toContain("CRITERION: The agent offered a refund");
    expect(user).toContain("CALLER: I was double charged");
    expect(user).toContain('AGENT CALLED FUNCTION issue_refund({"amount":19.99})');
    expect(user).toContain("AGENT: I've refunded $19.99.");
    expect(user).toContain("The call ended by the caller (caller_ended).");
  });

  it("fails the assertion on a fail verdict, keeping the reasoning", async () => {
    const { result } = await judgeWith(() => ({
      content: '{"verdict":"FAIL","reasoning":"No refund was offered."}',
    }));
    expect(result).toMatchObject({ passed: false, reasoning: "No refund was offered." });
  });

  it("fails the assertion when the verdict is not structured", async () => {
    const { result } = await judgeWith(() => ({ content: "I think it passed." }));
    expect(result).toEqual({
      kind: "judge",
      passed: false,
      detail:
        'could not judge "The agent offered a refund": the judge did not answer with JSON: I think it passed.',
    });
  });

  it("fails the assertion with the HTTP error when the model is unreachable", async () => {
    const { result } = await judgeWith(() => ({ kind: "error", status: 400, message: "model not found" }));
    expect(result?.passed).toBe(false);
    expect(result?.detail).toMatch(/could not judge .*HTTP 400: model not found$/);
  });
});

describe("decodeVerdict", () => {
  it("accepts a fenced JSON answer and rejects an unknown verdict", () => {
    expect(decodeVerdict('```json\n{"verdict":"pass","reasoning":"ok"}\n```')).toEqual({
      verdict: "pass",
      reasoning: "ok",
    });
    expect(() => decodeVerdict('{"verdict":"maybe","reasoning":"?"}')).toThrow(/lacks \{"verdict"/);
  });
});
