/**
 * Every end reason of the text protocol (docs/text-protocol.md), produced through the real path (suite → caller →
 * session core → ws shell) against the reference agent's real socket, partial transcript asserted.
 */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { contents, useReferenceAgent } from "./reference-run.ts";

const run = useReferenceAgent();

describe("text runs end for every reason in the spec", () => {
  it("completes agent_ended when the agent sends end_call with final words (billing happy path)", async () => {
    const r = await run({
      script: [
        { say: "I'd like to pay my bill" },
        { expect: "account number", dtmf: "12345#" },
        { expect: "/confirm/i", say: "yes" },
        { wait_for_end: true },
      ],
      assertions: [
        { function_called: { name: "process_payment", arguments: { amount: 42 } } },
        { metadata: { payment_status: "paid", account: "12345" } },
        { ended_by: "agent" },
      ],
    });
    expect(r).toMatchObject({
      status: "completed",
      ended_reason: "agent_ended",
      ended_by: "agent",
      passed: true,
      error: null,
    });
    expect(r.transcript.map((e) => e.role)).toEqual([
      "user",
      "agent",
      "user",
      "function_call",
      "function_call_result",
      "agent",
      "user",
      "function_call",
      "function_call_result",
      "agent",
    ]);
    expect(r.transcript.at(-1)?.content).toBe("Your payment is complete. Goodbye!");
    expect(r.transcript[3]?.data).toEqual({
      id: "call_1",
      name: "lookup_account",
      arguments: { account: "12345" },
    });
    expect(r.metrics).toMatchObject({ turns: 3 });
  });

  it("completes agent_ended when the agent closes cleanly after the script's last line", async () => {
    const r = await run(
      { script: [{ say: "one" }, { say: "two" }, { wait_for_end: true }] },
      { path: "/echo", behavior: "close_after:1" },
    );
    expect(r).toMatchObject({
      status: "completed",
      ended_reason: "agent_ended",
      ended_by: "agent",
      passed: true,
      error: null,
    });
    expect(contents(r)).toEqual(["user:one", "agent:You said: one", "user:two"]);
  });

  it("completes caller_ended when the script runs out and the agent closes after end_call", async () => {
    const r = await run({ script: [{ say: "hello" }] }, { path: "/echo" });
    expect(r).toMatchObject({
      status: "completed",
      ended_reason: "caller_ended",
      ended_by: "caller",
      passed: true,
    });
    expect(contents(r)).toEqual(["user:hello", "agent:You said: hello"]);
  });

  it("fails the scenario (call completed) when an expectation does not hold, saying what the agent said", async () => {
    const r = await run(
      { script: [{ say: "hello" }, { expect: "/refund/i", say: "more" }] },
      { path: "/echo" },
    );
    expect(r).toMatchObject({ status: "completed", ended_reason: "caller_ended", passed: false });
    expect(r.error).toContain("expectation failed");
    expect(r.error).toContain("/refund/i");
    expect(r.error).toContain("You said: hello");
  });

  it("fails agent_timeout when the agent never replies", async () => {
    const r = await run({ script: [{ say: "anyone there?" }] }, { behavior: "silent" });
    expect(r).toMatchObject({ status: "failed", ended_reason: "agent_timeout", passed: false });
    expect(r.error).toBe("the agent did not reply within 2 s");
    expect(contents(r)).toEqual(["user:anyone there?"]);
  });

  it("fails agent_timeout when only function-call frames arrive (the turn timer keeps running)", async () => {
    const r = await run(
      { script: [{ say: "I want to pay my bill" }, { dtmf: "42#" }] },
      { behavior: "functions_only" },
    );
    expect(r).toMatchObject({ status: "failed", ended_reason: "agent_timeout" });
    expect(r.transcript.some((e) => e.role === "function_call")).toBe(true);
    expect(r.transcript.some((e) => e.role === "agent")).toBe(false);
  });

  it("fails max_duration when the whole conversation runs too long", async () => {
    const r = await run(
      { script: [{ say: "a" }, { say: "b" }, { say: "c" }, { say: "d" }] },
      { path: "/echo", behavior: "slow:400", text: { max_duration_s: 1, per_turn_timeout_s: 5 } },
    );
    expect(r).toMatchObject({ status: "failed", ended_reason: "max_duration" });
    expect(r.error).toBe("the conversation exceeded max_duration_s (1 s)");
    expect(contents(r).slice(0, 3)).toEqual(["user:a", "agent:You said: a", "user:b"]);
  });

  it("fails connection_failed when the agent rejects the secret with 1008", async () => {
    const r = await run({ script: [{ say: "hi" }] }, { secret: "wrong" });
    expect(r).toMatchObject({ status: "failed", ended_reason: "connection_failed" });
    expect(r.error).toContain("agent rejected the connection (1008 policy violation");
  });

  it("fails connection_failed with the HTTP status when the agent answers without upgrading", async () => {
    const r = await run({ script: [{ say: "hi" }] }, { behavior: "http_error:503" });
    expect(r).toMatchObject({ status: "failed", ended_reason: "connection_failed", transcript: [] });
    expect(r.error).toBe("the agent answered HTTP 503 instead of upgrading to WebSocket");
  });

  it("fails connection_failed when nothing listens", async () => {
    const port = await freePort();
    const r = await run({ script: [{ say: "hi" }] }, { url: `ws://127.0.0.1:${port}/ws` });
    expect(r).toMatchObject({ status: "failed", ended_reason: "connection_failed" });
    expect(r.error).toMatch(/could not connect to ws:\/\/127\.0\.0\.1:\d+\/ws: .*ECONNREFUSED/);
  });

  it("fails connection_lost when the socket drops mid-conversation", async () => {
    const r = await run(
      { script: [{ say: "one" }, { say: "two" }] },
      { path: "/echo", behavior: "drop_after:1" },
    );
    expect(r).toMatchObject({ status: "failed", ended_reason: "connection_lost" });
    expect(r.error).toBe("the connection dropped mid-conversation (1006 abnormal closure)");
    expect(contents(r)).toEqual(["user:one", "agent:You said: one", "user:two"]);
  });

  for (const [behavior, rule] of [
    ["garbage", "frame is not JSON"],
    ["bad_content", "`content`"],
    ["unknown_type", "unknown frame type"],
    ["oversize", "over the 262144-byte limit"],
  ] as const) {
    it(`fails protocol_error on ${behavior}, quoting the frame`, async () => {
      const r = await run({ script: [{ say: "hi" }] }, { path: "/echo", behavior });
      expect(r).toMatchObject({ status: "failed", ended_reason: "protocol_error" });
      expect(r.error).toContain(rule);
      expect(r.error).toContain("frame: ");
      expect(new TextEncoder().encode(r.error ?? "").byteLength).toBeLessThan(1200);
      expect(contents(r)).toEqual(["user:hi"]);
    });
  }

  it("ends interrupted when whoever started the run stops it, keeping the transcript", async () => {
    const abort = new AbortController();
    const pending = run(
      { script: [{ say: "hi" }, { wait_ms: 5000 }] },
      { path: "/echo", deps: { signal: abort.signal } },
    );
    setTimeout(() => abort.abort(new Error("interrupted (Ctrl-C)")), 300);
    const r = await pending;
    expect(r).toMatchObject({
      status: "interrupted",
      ended_reason: "interrupted",
      passed: false,
      error: "interrupted (Ctrl-C)",
    });
    expect(contents(r)).toEqual(["user:hi", "agent:You said: hi"]);
  });

  it("records two replies as two turns and answers once after they settle", async () => {
    const r = await run(
      { script: [{ say: "hi" }, { say: "bye" }] },
      { path: "/echo", behavior: "two_replies" },
    );
    expect(r.status).toBe("completed");
    const agentTurns = r.transcript.filter((e) => e.role === "agent");
    expect(agentTurns).toHaveLength(4);
    expect(r.transcript.filter((e) => e.role === "user")).toHaveLength(2);
  });

  it("waits for the greeting when the agent speaks first", async () => {
    const r = await run(
      { script: [{ expect: "/hello/i", say: "I want to pay my bill" }] },
      { behavior: "greet", text: { first_speaker: "agent" } },
    );
    expect(r.passed).toBe(true);
    expect(r.transcript[0]).toMatchObject({ role: "agent" });
    expect(r.transcript[0]?.latency_ms).toBeUndefined();
  });

  it("forwards X-* scenario metadata as headers (the agent reads its behaviour from one)", async () => {
    const r = await run(
      { metadata: { "X-Spar-Behavior": "silent" }, script: [{ say: "hi" }] },
      { path: "/echo" },
    );
    expect(r.ended_reason).toBe("agent_timeout");
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
