/**
 * The LLM persona caller and the LLM judge end to end: suite → LLM caller (over the real HTTP
 * client) → session → reference agent, then judged. The model is the fake OpenAI-compatible
 * server; its answers are computed from what it is sent, like a (very small) model would.
 */
import { type FakeChatRequest, startFakeOpenAI } from "@spar/devkit/fake-openai";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { newId, runTextScenario } from "@spar/gateway";
import { parseSuite, type RunReport } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SECRET = "persona-secret";
const API_KEY = "sk-test-persona";
let agent: ReferenceTextAgent;
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
});
afterAll(async () => {
  await agent.close();
});

const text = (content: unknown): string =>
  typeof content === "string" ? content : Array.isArray(content) ? content.map((p) => p.text).join("") : "";

/** The "model": plays a cooperative bill payer, and judges by reading the transcript it is sent. */
function respond(req: FakeChatRequest) {
  const messages = req.messages;
  if (req.response_format?.type === "json_object") {
    const transcript = messages.map((m) => text(m.content)).join("\n");
    const paid = /payment is complete/i.test(transcript);
    return {
      content: JSON.stringify({
        verdict: paid ? "pass" : "fail",
        reasoning: paid ? "The agent confirmed the payment." : "No payment was confirmed.",
      }),
    };
  }
  const last = [...messages].reverse().find((m) => m.role === "user");
  const heard = text(last?.content);
  if (/account number/i.test(heard))
    return { toolCalls: [{ name: "send_dtmf", arguments: { digits: "12345#" } }] };
  if (/confirm the payment/i.test(heard)) return { content: "Yes, please go ahead." };
  if (/goodbye/i.test(heard)) return { toolCalls: [{ name: "end_call", arguments: {} }] };
  return { content: "Hi, I'd like to pay my bill." };
}

async function runPersona(
  judge: string,
  agentId = "billing-bot",
): Promise<{ report: RunReport; requests: number }> {
  const model = await startFakeOpenAI({ apiKey: API_KEY, respond });
  try {
    const parsed = parseSuite({
      version: 1,
      agent: { id: agentId, text: { url: agent.url, secret: SECRET, per_turn_timeout_s: 5, settle_ms: 50 } },
      caller: { llm: { base_url: model.baseUrl, model: "fake-caller", api_key: API_KEY } },
      scenarios: [
        {
          id: "persona-pay",
          persona: "A cooperative customer who wants to pay their bill",
          goal: "Pay the outstanding balance",
          send_dtmf: true,
          max_turns: 6,
          assertions: [
            { judge },
            { function_called: { name: "process_payment", arguments: { amount: 42 } } },
          ],
        },
      ],
    });
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const suite = parsed.suite;
    const report = await runTextScenario({
      suite,
      scenario: suite.scenarios[0]!,
      attempt: 1,
      runId: newId("run"),
      batchId: newId("batch"),
    });
    return { report, requests: model.chatRequests().length };
  } finally {
    await model.close();
  }
}

describe("LLM persona caller and judge", () => {
  it("plays the persona with DTMF through the tool call, and the judge passes it with reasoning", async () => {
    const { report, requests } = await runPersona("The agent took the payment");
    expect(report).toMatchObject({
      status: "completed",
      ended_reason: "agent_ended",
      passed: true,
      error: null,
    });
    const user = report.transcript.filter((e) => e.role === "user").map((e) => e.content);
    expect(user).toEqual([
      "Hi, I'd like to pay my bill.",
      '<dtmf digits="12345#"/>',
      "Yes, please go ahead.",
    ]);
    expect(report.assertions[0]).toMatchObject({
      kind: "judge",
      passed: true,
      reasoning: "The agent confirmed the payment.",
    });
    expect(requests).toBe(4); // three caller turns + one judge call
  });

  it("fails the run when the judge's verdict is fail, keeping its reasoning", async () => {
    // The echo bot never takes a payment, so the judge (reading the transcript) fails it.
    const { report } = await runPersona("The agent took the payment", "echo-bot");
    expect(report.passed).toBe(false);
    expect(report.assertions.find((a) => a.kind === "judge")).toMatchObject({
      passed: false,
      reasoning: "No payment was confirmed.",
    });
    expect(report.error).toContain("judge");
  });
});
