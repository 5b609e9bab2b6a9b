import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectToAgent, eventOf } from "./agent-test-client.ts";
import { type ReferenceTextAgent, startReferenceTextAgent } from "./start-reference-text-agent.ts";

const SECRET = "s3cret-for-tests";
let agent: ReferenceTextAgent;

beforeAll(async () => {
  agent = await startReferenceTextAgent({ secret: SECRET });
});
afterAll(async () => {
  await agent.close();
});

function headers(agentId: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "X-RUBRIC-SECRET": SECRET,
    "X-RUBRIC-AGENT-ID": agentId,
    "X-RUBRIC-SCENARIO-ID": "scenario-1",
    "X-RUBRIC-RUN-ID": "run-1",
    "X-RUBRIC-BATCH-ID": "batch-1",
    ...extra,
  };
}

describe("reference text agent", () => {
  it("listens on loopback and reports a ws:// URL", () => {
    expect(agent.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  });

  it("takes a bill payment: tools stream before each reply, metadata, final words, then close 1000", async () => {
    const c = await connectToAgent(agent.url, headers("billing-bot"));
    c.send({ type: "message", content: "Hi, I'd like to pay my bill" });
    expect(eventOf(await c.next())).toEqual({
      kind: "reply",
      content: "Sure. What is your account number? You can type it on your keypad.",
      endCall: false,
    });

    c.send({ type: "message", content: 'It is <dtmf digits="12345#"/>' });
    expect(eventOf(await c.next())).toEqual({
      kind: "function_call",
      id: "call_1",
      name: "lookup_account",
      arguments: { account: "12345" },
    });
    expect(eventOf(await c.next())).toEqual({
      kind: "function_call_result",
      id: "call_1",
      name: "lookup_account",
      result: { balance: 42 },
    });
    expect(eventOf(await c.next())).toEqual({
      kind: "reply",
      content: "I found account 12345. Your balance is $42.00. Shall I confirm the payment?",
      metadata: { account: "12345" },
      endCall: false,
    });

    c.send({ type: "message", content: "Yes, go ahead" });
    expect(eventOf(await c.next())).toEqual({
      kind: "function_call",
      id: "call_2",
      name: "process_payment",
      arguments: { amount: 42 },
    });
    expect(eventOf(await c.next())).toEqual({
      kind: "function_call_result",
      id: "call_2",
      name: "process_payment",
      result: { status: "ok" },
    });
    expect(eventOf(await c.next())).toEqual({ kind: "metadata", metadata: { payment_status: "paid" } });
    expect(eventOf(await c.next())).toEqual({
      kind: "end_call",
      content: "Your payment is complete. Goodbye!",
    });
    expect(await c.closed).toEqual({ code: 1000, reason: "call ended" });
    expect(c.frames).toHaveLength(8);
  });

  it("answers an unexpected message with a helpful reply", async () => {
    const c = await connectToAgent(agent.url, headers("billing-bot"));
    c.send({ type: "message", content: "What's the weather like?" });
    const reply = eventOf(await c.next());
    expect(reply.kind).toBe("reply");
    expect(reply.kind === "reply" && reply.content).toMatch(/^Sorry, I can help you pay a bill/);
    c.close();
  });

  it("routes by URL path when the agent id is unknown", async () => {
    const c = await connectToAgent(`${agent.url}/billing`, headers("agent-42"));
    c.send({ type: "message", content: "pay my bill please" });
    expect(eventOf(await c.next())).toMatchObject({
      kind: "reply",
      content: expect.stringMatching(/account number/),
    });
    c.close();
  });

  it("routes by X-RUBRIC-AGENT-ID before the path", async () => {
    const c = await connectToAgent(`${agent.url}/billing`, headers("echo-bot"));
    c.send({ type: "message", content: "pay my bill" });
    expect(eventOf(await c.next())).toEqual({
      kind: "reply",
      content: "You said: pay my bill",
      endCall: false,
    });
    c.close();
  });

  it("echoes text and DTMF digits separately", async () => {
    const c = await connectToAgent(`${agent.url}/ws/echo`, headers("agent-42"));
    c.send({ type: "message", content: 'press <dtmf digits="1*#"/> now' });
    expect(eventOf(await c.next())).toEqual({
      kind: "reply",
      content: "You said: press now. You pressed 1*#",
      endCall: false,
    });
    c.close();
  });

  it("falls back to echo and says so once in metadata", async () => {
    const c = await connectToAgent(`${agent.url}/nowhere`, headers("agent-42"));
    c.send({ type: "message", content: "hello" });
    expect(eventOf(await c.next())).toEqual({
      kind: "reply",
      content: "You said: hello",
      metadata: { bot: "echo" },
      endCall: false,
    });
    c.send({ type: "message", content: "again" });
    expect(eventOf(await c.next())).toEqual({ kind: "reply", content: "You said: again", endCall: false });
    c.close();
  });

  it("closes 1000 promptly when the platform sends end_call", async () => {
    const c = await connectToAgent(`${agent.url}/echo`, headers("echo-bot"));
    c.send({ type: "end_call" });
    expect((await c.closed).code).toBe(1000);
    expect(c.elapsedMs()).toBeLessThan(5000);
    expect(c.frames).toHaveLength(0);
  });

  it("closes 1008 on a wrong secret and on a missing one, without replying", async () => {
    const wrong = await connectToAgent(agent.url, headers("billing-bot", { "X-RUBRIC-SECRET": "guess" }));
    expect(await wrong.closed).toEqual({ code: 1008, reason: "invalid secret" });
    const { "X-RUBRIC-SECRET": _omitted, ...withoutSecret } = headers("billing-bot");
    const missing = await connectToAgent(agent.url, withoutSecret);
    expect(await missing.closed).toEqual({ code: 1008, reason: "invalid secret" });
    expect([...wrong.frames, ...missing.frames]).toHaveLength(0);
  });

  it("closes 1003 when the platform sends a frame that is not a caller frame", async () => {
    const c = await connectToAgent(`${agent.url}/echo`, headers("echo-bot"));
    c.sendRaw('{"type":"hello"}');
    expect((await c.closed).code).toBe(1003);
    const d = await connectToAgent(`${agent.url}/echo`, headers("echo-bot"));
    d.sendRaw("hi there");
    expect((await d.closed).code).toBe(1003);
  });

  it("counts open connections, and earlier calls have all been let go", async () => {
    await expect.poll(() => agent.connections).toBe(0);
    const c = await connectToAgent(`${agent.url}/echo`, headers("echo-bot"));
    await expect.poll(() => agent.connections).toBe(1);
    c.close();
    await c.closed;
    await expect.poll(() => agent.connections).toBe(0);
  });
});
