import { AppError } from "@spar/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, type FakeResponder, startFakeOpenAI } from "../../devkit/src/fake-openai/index.ts";
import { createChatClient } from "./openai-client.ts";

const KEY = "sk-secret-key-0123";
let server: FakeOpenAI | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(respond: FakeResponder, tuning: { timeoutMs?: number; maxRetries?: number } = {}) {
  server = await startFakeOpenAI({ apiKey: KEY, respond });
  const sleeps: number[] = [];
  const client = createChatClient({
    llm: { base_url: `${server.baseUrl}/`, model: "fake-1", api_key: KEY, temperature: 0.3 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...tuning,
  });
  return { server, client, sleeps };
}

const signal = () => new AbortController().signal;
const ask = { messages: [{ role: "user" as const, content: "hi" }] };

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof AppError)) throw new Error(`expected an AppError, got ${String(e)}`);
  return e;
}

describe("chat client", () => {
  it("sends model, temperature, key and messages, and decodes content and tool calls", async () => {
    const { server, client } = await setup(() => ({
      content: "Sure",
      toolCalls: [{ name: "end_call", arguments: {} }],
    }));
    const result = await client.complete(ask, signal());
    expect(result).toEqual({
      content: "Sure",
      toolCalls: [{ id: expect.stringMatching(/^call_/), name: "end_call", arguments: "{}" }],
      finishReason: "tool_calls",
    });
    expect(server.requests[0]?.authorization).toBe(`Bearer ${KEY}`);
    expect(server.chatRequests()[0]).toEqual({ model: "fake-1", temperature: 0.3, ...ask });
  });

  it("retries 429 and 500 with doubling backoff, honouring Retry-After", async () => {
    const { server, client, sleeps } = await setup(
      (_r, i) =>
        i === 0
          ? { kind: "error", status: 429, retryAfterS: 3 }
          : i === 1
            ? { kind: "error", status: 503 }
            : { content: "ok" },
      { maxRetries: 2 },
    );
    expect((await client.complete(ask, signal())).content).toBe("ok");
    expect(sleeps).toEqual([3000, 1000]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 503, 200]);
  });

  it("gives up after the bounded retries with the status and the server's message", async () => {
    const { server, client } = await setup(() => ({ kind: "error", status: 500, message: "boom inside" }), {
      maxRetries: 2,
    });
    const e = await failure(client.complete(ask, signal()));
    expect(e.code).toBe("upstream_failed");
    expect(e.message).toMatch(/HTTP 500: boom inside \(after 3 attempts\)/);
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a 401 and never puts the key in the error", async () => {
    const { client, server } = await setup(() => ({ content: "x" }));
    const wrong = createChatClient({
      llm: { base_url: server.baseUrl, model: "m", api_key: "sk-wrong-key-99" },
    });
    const e = await failure(wrong.complete(ask, signal()));
    expect(e.message).toMatch(
      /^LLM request to http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions failed: HTTP 401: /,
    );
    expect(e.message).not.toContain("sk-wrong-key-99");
    expect(server.requests).toHaveLength(1);
    expect((await client.complete(ask, signal())).content).toBe("x");
  });

  it("quotes at most 500 bytes of a non-JSON error body", async () => {
    const { client } = await setup(() => ({
      kind: "raw",
      status: 400,
      body: "x".repeat(2000),
      contentType: "text/plain",
    }));
    const e = await failure(client.complete(ask, signal()));
    expect(e.message).toContain(`HTTP 400: ${"x".repeat(500)}…`);
    expect(e.message).not.toContain("x".repeat(501));
  });

  it("rejects a 200 that is not a chat.completion, saying which field", async () => {
    const { client } = await setup(() => ({ kind: "raw", status: 200, body: '{"choices": []}' }));
    expect((await failure(client.complete(ask, signal()))).message).toMatch(
      /not a chat\.completion \(choices: no choices\)/,
    );
  });

  it("times out a slow response with a clear error", async () => {
    const { client } = await setup(() => ({ content: "late", delayMs: 5_000 }), {
      timeoutMs: 100,
      maxRetries: 0,
    });
    expect((await failure(client.complete(ask, signal()))).message).toMatch(
      /no complete response within 100 ms/,
    );
  });

  it("bounds the response size", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, respond: () => ({ content: "y".repeat(10_000) }) });
    const client = createChatClient({
      llm: { base_url: server.baseUrl, model: "m", api_key: KEY },
      maxResponseBytes: 1_000,
    });
    expect((await failure(client.complete(ask, signal()))).message).toMatch(
      /response larger than 1000 bytes/,
    );
  });

  it("stops when the caller aborts, with the abort reason", async () => {
    const { client } = await setup(() => ({ content: "late", delayMs: 5_000 }));
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 50);
    await expect(client.complete(ask, controller.signal)).rejects.toBe(reason);
  });

  it("sends no Authorization header when no key is configured (local endpoints)", async () => {
    server = await startFakeOpenAI({ apiKey: KEY, respond: () => ({ content: "x" }) });
    const client = createChatClient({ llm: { base_url: server.baseUrl, model: "m" } });
    expect((await failure(client.complete(ask, signal()))).message).toMatch(
      /HTTP 401: You didn't provide an API key/,
    );
    expect(server.requests[0]?.authorization).toBeUndefined();
  });

  it("retries a refused connection and then reports it as a network error", async () => {
    const gone = await startFakeOpenAI({ apiKey: KEY, respond: () => ({ content: "x" }) });
    const baseUrl = gone.baseUrl;
    await gone.close();
    const sleeps: number[] = [];
    const client = createChatClient({
      llm: { base_url: baseUrl, model: "m", api_key: KEY },
      maxRetries: 1,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const e = await failure(client.complete(ask, signal()));
    expect(e.message).toMatch(/failed: network error: .* \(after 2 attempts\)$/);
    expect(sleeps).toEqual([500]);
  });
});
