import { MAX_AGENT_FRAME_BYTES } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentTestConnection, connectToAgent, eventOf } from "./agent-test-client.ts";
import { type ReferenceTextAgent, startReferenceTextAgent } from "./start-reference-text-agent.ts";

const SECRET = "misbehaviour-secret";
let agent: ReferenceTextAgent;

beforeAll(async () => {
  agent = await startReferenceTextAgent({ secret: SECRET });
});
afterAll(async () => {
  await agent.close();
});

/** An echo-bot connection that asks for `behavior` in the X-Spar-Behavior header. */
function misbehaving(behavior: string): Promise<AgentTestConnection> {
  return connectToAgent(`${agent.url}/echo`, {
    "X-RUBRIC-SECRET": SECRET,
    "X-RUBRIC-AGENT-ID": "echo-bot",
    "X-Spar-Behavior": behavior,
  });
}

function say(c: AgentTestConnection, content: string): void {
  c.send({ type: "message", content });
}

describe("reference text agent misbehaviours", () => {
  it("slow: delays each reply by the given milliseconds", async () => {
    const c = await misbehaving("slow:300");
    const sentAt = c.elapsedMs();
    say(c, "hi");
    const frame = await c.next();
    expect(eventOf(frame)).toMatchObject({ kind: "reply", content: "You said: hi" });
    expect(frame.atMs - sentAt).toBeGreaterThanOrEqual(290);
    c.close();
  });

  it("silent: never replies", async () => {
    const c = await misbehaving("silent");
    say(c, "hi");
    await c.expectQuiet(300);
    c.close();
  });

  it("drop_after: replies n times, then drops the socket without a close frame (1006)", async () => {
    const c = await misbehaving("drop_after:1");
    say(c, "one");
    expect(eventOf(await c.next())).toMatchObject({ kind: "reply", content: "You said: one" });
    say(c, "two");
    expect((await c.closed).code).toBe(1006);
    expect(c.frames).toHaveLength(1);
  });

  it("close_after: replies n times, then closes cleanly with 1000", async () => {
    const c = await misbehaving("close_after:1");
    say(c, "one");
    await c.next();
    say(c, "two");
    expect(await c.closed).toEqual({ code: 1000, reason: "close_after" });
    expect(c.frames).toHaveLength(1);
  });

  it("close_code: close_after closes with the given code, or with no code for 1005", async () => {
    const crash = await misbehaving("close_after:0,close_code:1011");
    say(crash, "one");
    expect(await crash.closed).toEqual({ code: 1011, reason: "close_after" });
    const bare = await misbehaving("close_after:0,close_code:1005");
    say(bare, "one");
    expect(await bare.closed).toEqual({ code: 1005, reason: "" });
  });

  it("end_after: ends the call with final words after n replies", async () => {
    const c = await misbehaving("end_after:1");
    say(c, "one");
    await c.next();
    say(c, "two");
    expect(eventOf(await c.next())).toEqual({ kind: "end_call", content: "I have to go now. Goodbye!" });
    expect((await c.closed).code).toBe(1000);
  });

  it("garbage: replies with a frame that is not JSON", async () => {
    const c = await misbehaving("garbage");
    say(c, "hi");
    const frame = await c.next();
    expect(frame.decoded).toEqual({ ok: false, error: expect.stringMatching(/^frame is not JSON/) });
    c.close();
  });

  it("bad_content: replies with a number as content", async () => {
    const c = await misbehaving("bad_content");
    say(c, "hi");
    const frame = await c.next();
    expect(frame.raw).toBe('{"content":42}');
    expect(frame.decoded).toEqual({ ok: false, error: expect.stringMatching(/^`content`/) });
    c.close();
  });

  it("unknown_type: replies with a type the protocol does not know", async () => {
    const c = await misbehaving("unknown_type");
    say(c, "hi");
    const frame = await c.next();
    expect(frame.decoded).toEqual({
      ok: false,
      error: expect.stringMatching(/^unknown frame type "thinking_out_loud"/),
    });
    c.close();
  });

  it("oversize: replies with a frame over the 256 KiB limit", async () => {
    const c = await misbehaving("oversize");
    say(c, "hi");
    const frame = await c.next();
    expect(Buffer.byteLength(frame.raw)).toBeGreaterThan(MAX_AGENT_FRAME_BYTES);
    expect(frame.decoded).toEqual({ ok: false, error: expect.stringMatching(/over the 262144-byte limit/) });
    c.close();
  });

  it("two_replies: sends two content frames for one message", async () => {
    const c = await misbehaving("two_replies");
    say(c, "hi");
    expect(eventOf(await c.next())).toMatchObject({ kind: "reply", content: "You said: hi" });
    expect(eventOf(await c.next())).toMatchObject({
      kind: "reply",
      content: "And one more thing: I am still here.",
    });
    c.close();
  });

  it("greet: speaks first, before the caller says anything", async () => {
    const c = await misbehaving("greet");
    expect(eventOf(await c.next())).toEqual({
      kind: "reply",
      content: "Hello! I repeat whatever you say.",
      endCall: false,
    });
    c.close();
  });

  it("functions_only: streams function frames but never the reply", async () => {
    const billing = await connectToAgent(`${agent.url}/billing`, {
      "X-RUBRIC-SECRET": SECRET,
      "X-RUBRIC-AGENT-ID": "billing-bot",
      "X-Spar-Behavior": "functions_only",
    });
    say(billing, '<dtmf digits="777"/>');
    expect(eventOf(await billing.next())).toMatchObject({ kind: "function_call", name: "lookup_account" });
    expect(eventOf(await billing.next())).toMatchObject({
      kind: "function_call_result",
      result: { balance: 42 },
    });
    await billing.expectQuiet(300);
    billing.close();
  });

  it("functions_only: a turn without tools still streams a function frame pair", async () => {
    const c = await misbehaving("functions_only");
    say(c, "hi");
    expect(eventOf(await c.next())).toMatchObject({ kind: "function_call", name: "think" });
    expect(eventOf(await c.next())).toMatchObject({ kind: "function_call_result", name: "think" });
    await c.expectQuiet(300);
    c.close();
  });

  it("http_error: answers the upgrade with the HTTP status instead of 101", async () => {
    await expect(misbehaving("http_error:503")).rejects.toThrow(/503/);
  });

  it("reads behaviours from the ?behavior= query too, and combines them", async () => {
    const c = await connectToAgent(`${agent.url}/echo?behavior=two_replies`, {
      "X-RUBRIC-SECRET": SECRET,
      "X-Spar-Behavior": "greet",
    });
    expect(eventOf(await c.next())).toMatchObject({
      kind: "reply",
      content: "Hello! I repeat whatever you say.",
    });
    say(c, "hi");
    expect(eventOf(await c.next())).toMatchObject({ content: "You said: hi" });
    expect(eventOf(await c.next())).toMatchObject({ content: "And one more thing: I am still here." });
    c.close();
  });

  it("closes 1011 naming the problem when the behaviour string is invalid", async () => {
    const c = await misbehaving("slow:soon");
    expect(await c.closed).toEqual({
      code: 1011,
      reason: 'invalid behavior: "slow" needs milliseconds, e.g. slow:500',
    });
  });

  it("still checks the secret first when a behaviour is asked for", async () => {
    const c = await connectToAgent(`${agent.url}/echo?behavior=greet`, { "X-RUBRIC-SECRET": "nope" });
    expect((await c.closed).code).toBe(1008);
    expect(c.frames).toHaveLength(0);
  });
});
