/**
 * A fake OpenAI-compatible server for tests: real HTTP on 127.0.0.1, the real wire format
 * (`chat.completion` objects, OpenAI's error shape, Bearer auth), and a canned model supplied by
 * the test. Only the model is fake; the client's HTTP, JSON and retry paths run for real.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { chatRequestSchema, type FakeChatRequest, mentionsJson } from "./request-schema.ts";

export interface FakeToolCall {
  name: string;
  /** An object is JSON-encoded; a string is sent verbatim (to test malformed arguments). */
  arguments?: unknown;
}

/** What the canned model answers to one chat-completions request. */
export type FakeReply =
  | {
      kind?: "message";
      content?: string | null;
      toolCalls?: FakeToolCall[];
      finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
      delayMs?: number;
    }
  /** An error in OpenAI's shape (429 → rate_limit_exceeded, 5xx → server_error). */
  | { kind: "error"; status: number; message?: string; retryAfterS?: number; delayMs?: number }
  /** Anything at all, for malformed-response tests. */
  | { kind: "raw"; status: number; body: string; contentType?: string; delayMs?: number };

export type FakeResponder = (request: FakeChatRequest, index: number) => FakeReply | Promise<FakeReply>;

export interface FakeOpenAIOptions {
  /** Requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey: string;
  respond: FakeResponder;
  /** Listed by `GET /v1/models`. */
  models?: string[];
  /** Largest request body accepted. */
  maxBodyBytes?: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  /** The Authorization header as received (tests assert it was sent, never log it). */
  authorization: string | undefined;
  /** The status the fake answered with. */
  status: number;
  /** The decoded body of a valid chat-completions request. */
  body?: FakeChatRequest;
}

export interface FakeOpenAI {
  /** e.g. `http://127.0.0.1:43121/v1`: what goes in `caller.llm.base_url`. */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** Only the chat-completions requests that were answered by the model, in order. */
  chatRequests(): FakeChatRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(opts: FakeOpenAIOptions): Promise<FakeOpenAI> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const maxBody = opts.maxBodyBytes ?? 4 * 1024 * 1024;
  let modelCalls = 0;
  let completions = 0;

  const delay = (ms: number | undefined) =>
    new Promise<void>((resolve) => {
      if (!ms) return resolve();
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const record: ReceivedRequest = {
      method: req.method ?? "",
      path,
      authorization: req.headers.authorization,
      status: 0,
    };
    requests.push(record);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };

    const raw = await readBody(req, maxBody);
    if (raw === undefined) return send(413, openAiError("Request body too large.", "invalid_request_error"));

    const routes = ["/v1/chat/completions", "/v1/models"];
    if (!routes.includes(path)) {
      return send(404, openAiError(`Invalid URL (${req.method} ${path})`, "invalid_request_error"));
    }
    const auth = checkAuth(req.headers.authorization, opts.apiKey);
    if (auth) return send(401, auth);

    if (path === "/v1/models") {
      if (req.method !== "GET") return send(405, openAiError("Method not allowed.", "invalid_request_error"));
      const created = Math.floor(Date.now() / 1000);
      return send(200, {
        object: "list",
        data: (opts.models ?? ["fake-model"]).map((id) => ({
          id,
          object: "model",
          created,
          owned_by: "spar-fake",
        })),
      });
    }
    if (req.method !== "POST") return send(405, openAiError("Method not allowed.", "invalid_request_error"));

    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return send(
        400,
        openAiError("We could not parse the JSON body of your request.", "invalid_request_error"),
      );
    }
    const parsed = chatRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue?.path.join(".") ?? null;
      return send(
        400,
        openAiError(`Invalid request: ${param}: ${issue?.message}`, "invalid_request_error", param),
      );
    }
    const body = parsed.data;
    if (body.response_format?.type === "json_object" && !mentionsJson(body)) {
      return send(
        400,
        openAiError(
          "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.",
          "invalid_request_error",
          "messages",
        ),
      );
    }
    record.body = body;

    const reply = await opts.respond(body, modelCalls++);
    await delay(reply.delayMs);
    if (reply.kind === "raw") {
      record.status = reply.status;
      if (res.destroyed) return;
      res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" });
      res.end(reply.body);
      return;
    }
    if (reply.kind === "error") {
      const rateLimited = reply.status === 429;
      return send(
        reply.status,
        openAiError(
          reply.message ??
            (rateLimited
              ? "Rate limit reached for requests."
              : "The server had an error while processing your request."),
          rateLimited ? "requests" : "server_error",
          null,
          rateLimited ? "rate_limit_exceeded" : null,
        ),
        reply.retryAfterS === undefined ? {} : { "retry-after": String(reply.retryAfterS) },
      );
    }
    send(200, chatCompletion(body, reply, ++completions));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A throwing responder is a bug in the test: answer 500 loudly rather than hang the client.
      send500(res, e);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string")
    throw new Error("the fake OpenAI server has no TCP port");
  const { port } = address;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.flatMap((r) => (r.body ? [r.body] : [])),
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function chatCompletion(req: FakeChatRequest, reply: Extract<FakeReply, { kind?: "message" }>, n: number) {
  const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({
    id: `call_fake_${n}_${i}`,
    type: "function" as const,
    function: {
      name: c.name,
      arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments ?? {}),
    },
  }));
  const content = reply.content ?? null;
  const prompt = JSON.stringify(req.messages).length;
  const completion = (content ?? "").length + JSON.stringify(toolCalls).length;
  return {
    id: `chatcmpl-fake${n}`,
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: req.model,
    system_fingerprint: "fp_spar_fake",
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
      },
    ],
    // Rough token counts (4 characters a token): the shape is what clients read.
    usage: {
      prompt_tokens: Math.ceil(prompt / 4),
      completion_tokens: Math.ceil(completion / 4),
      total_tokens: Math.ceil(prompt / 4) + Math.ceil(completion / 4),
    },
  };
}

function openAiError(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

function checkAuth(header: string | undefined, apiKey: string) {
  if (!header) {
    return openAiError(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      "invalid_request_error",
    );
  }
  const m = /^Bearer (.+)$/.exec(header);
  if (m?.[1] === apiKey) return undefined;
  const shown = m?.[1]
    ? `${m[1].slice(0, 4)}${"*".repeat(Math.max(0, m[1].length - 4))}`
    : "(malformed header)";
  return openAiError(
    `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    "invalid_request_error",
    null,
    "invalid_api_key",
  );
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let tooBig = false;
    req.on("data", (c: Buffer) => {
      total += c.byteLength;
      if (total > maxBytes) tooBig = true;
      else chunks.push(c);
    });
    req.on("end", () => resolve(tooBig ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send500(res: ServerResponse, e: unknown): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(500, { "content-type": "application/json" });
  res.end(
    JSON.stringify(
      openAiError(`fake responder threw: ${e instanceof Error ? e.message : String(e)}`, "server_error"),
    ),
  );
}
