import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type FakeOpenAI, type FakeResponder, startFakeOpenAI } from "./fake-openai-server.ts";

let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(respond: FakeResponder = () => ({ content: "hi" })) {
  server = await startFakeOpenAI({ apiKey: "sk-test-123", respond, models: ["m1", "m2"] });
  return server;
}

const post = (s: FakeOpenAI, body: unknown, key = "sk-test-123") =>
  fetch(`${s.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

// Test-side decoding of what the fake sends, so the assertions read typed fields.
const completionSchema = z.object({
  id: z.string(),
  choices: z.array(
    z.object({
      message: z.object({ content: z.string().nullable(), tool_calls: z.array(z.unknown()).optional() }),
      finish_reason: z.string(),
    }),
  ),
});
const errorSchema = z.object({ error: z.object({ message: z.string() }) });
const completionOf = async (res: Response) => completionSchema.parse(await res.json());
const errorMessageOf = async (res: Response) => errorSchema.parse(await res.json()).error.message;

const hello = { model: "m1", messages: [{ role: "user", content: "hello" }] };

describe("fake OpenAI server", () => {
  it("answers a chat.completion object with the canned content", async () => {
    const s = await start(() => ({ content: "Hi there" }));
    const res = await post(s, hello);
    expect(res.status).toBe(200);
    const json: unknown = await res.json();
    expect(json).toMatchObject({
      object: "chat.completion",
      model: "m1",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi there" }, finish_reason: "stop" }],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
    });
    const body = completionSchema.parse(json);
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it("encodes tool calls with ids and JSON-string arguments", async () => {
    const s = await start(() => ({
      content: null,
      toolCalls: [{ name: "send_dtmf", arguments: { digits: "12#" } }],
    }));
    const body = await completionOf(await post(s, hello));
    expect(body.choices[0]?.finish_reason).toBe("tool_calls");
    expect(body.choices[0]?.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_/),
        type: "function",
        function: { name: "send_dtmf", arguments: '{"digits":"12#"}' },
      },
    ]);
  });

  it("rejects a missing or wrong key with 401 in OpenAI's error shape", async () => {
    const s = await start();
    const wrong = await post(s, hello, "sk-wrong");
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({
      error: { code: "invalid_api_key", type: "invalid_request_error" },
    });
    const none = await fetch(`${s.baseUrl}/models`);
    expect(none.status).toBe(401);
    expect(await errorMessageOf(none)).toMatch(/didn't provide an API key/);
    expect(s.chatRequests()).toEqual([]);
  });

  it("rejects a body that is not a valid chat-completions request, naming the field", async () => {
    const s = await start();
    const res = await post(s, { model: "m1", messages: [{ role: "caller", content: "x" }] });
    expect(res.status).toBe(400);
    expect(await errorMessageOf(res)).toMatch(/messages\.0\.role/);
    const extra = await post(s, { ...hello, bogus: 1 });
    expect(extra.status).toBe(400);
  });

  it("refuses JSON mode when no message mentions JSON, as OpenAI does", async () => {
    const s = await start();
    const res = await post(s, { ...hello, response_format: { type: "json_object" } });
    expect(res.status).toBe(400);
    expect(await errorMessageOf(res)).toMatch(/must contain the word 'json'/);
  });

  it("lists models", async () => {
    const s = await start();
    const res = await fetch(`${s.baseUrl}/models`, { headers: { authorization: "Bearer sk-test-123" } });
    expect(await res.json()).toMatchObject({
      object: "list",
      data: [{ id: "m1", object: "model" }, { id: "m2" }],
    });
  });

  it("injects 429 with Retry-After and 500 errors", async () => {
    const s = await start((_req, i) =>
      i === 0 ? { kind: "error", status: 429, retryAfterS: 2 } : { kind: "error", status: 500 },
    );
    const limited = await post(s, hello);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect(await limited.json()).toMatchObject({ error: { code: "rate_limit_exceeded" } });
    const broken = await post(s, hello);
    expect(broken.status).toBe(500);
    expect(await broken.json()).toMatchObject({ error: { type: "server_error" } });
  });

  it("records each request with its decoded body, auth header and status", async () => {
    const s = await start((req, i) => ({ content: `${i}:${req.messages.length}` }));
    await post(s, hello);
    await post(s, { ...hello, messages: [...hello.messages, { role: "assistant", content: "x" }] });
    expect(s.requests.map((r) => [r.method, r.path, r.status, r.authorization])).toEqual([
      ["POST", "/v1/chat/completions", 200, "Bearer sk-test-123"],
      ["POST", "/v1/chat/completions", 200, "Bearer sk-test-123"],
    ]);
    expect(s.chatRequests().map((r) => r.messages.length)).toEqual([1, 2]);
  });

  it("delays a response and still closes promptly while it is pending", async () => {
    const s = await start(() => ({ content: "late", delayMs: 10_000 }));
    const pending = post(s, hello).then(
      () => "answered",
      () => "dropped",
    );
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await s.close();
    server = undefined;
    expect(await pending).toBe("dropped");
    expect(Date.now() - t0).toBeLessThan(2_000);
  });

  it("answers 404 for unknown paths", async () => {
    const s = await start();
    const res = await fetch(`${s.baseUrl}/embeddings`, {
      method: "POST",
      headers: { authorization: "Bearer sk-test-123" },
    });
    expect(res.status).toBe(404);
  });
});
