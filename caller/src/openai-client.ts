/**
 * A minimal OpenAI-compatible chat-completions client on `fetch` alone, so the same code runs in
 * Workers, Node and the voice sidecar. Every failure is an `AppError("upstream_failed")` whose
 * message says what happened (status and the first 500 bytes of the body) and never the key.
 */
import { AppError, displayUrl, type LlmConfig, quoteFrame } from "@spar/protocol";
import { type ChatRequest, type ChatResult, chatCompletionSchema, openAiErrorSchema } from "./openai-wire.ts";

export interface ChatClientOptions {
  llm: LlmConfig;
  fetch?: typeof fetch;
  /** Per attempt, including reading the body. */
  timeoutMs?: number;
  /** Extra attempts after a 429, a 5xx or a network error. */
  maxRetries?: number;
  /** First backoff; doubles per retry, capped at `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  maxResponseBytes?: number;
  /** Injected so tests do not sleep for real. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ChatClient {
  complete(request: ChatRequest, signal: AbortSignal): Promise<ChatResult>;
}

export const DEFAULT_LLM_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_RETRIES = 2;
const DEFAULT_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export function createChatClient(opts: ChatClientOptions): ChatClient {
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  const maxRetries = opts.maxRetries ?? DEFAULT_MAX_RETRIES;
  const backoffMs = opts.backoffMs ?? 500;
  const maxBackoffMs = opts.maxBackoffMs ?? 8_000;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const sleep = opts.sleep ?? abortableSleep;
  const url = `${opts.llm.base_url.replace(/\/+$/, "")}/chat/completions`;
  const where = displayUrl(url);
  const secret = opts.llm.api_key;
  const scrub = (text: string) => (secret ? text.split(secret).join("[redacted]") : text);
  const fail = (message: string, cause?: unknown): AppError =>
    new AppError("upstream_failed", scrub(`LLM request to ${where} failed: ${message}`), { cause });

  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (secret) headers.authorization = `Bearer ${secret}`;

  async function attempt(body: string, signal: AbortSignal): Promise<Attempt> {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    try {
      const res = await doFetch(url, { method: "POST", headers, body, signal: controller.signal });
      const text = await readBounded(res, maxBytes);
      if (text === undefined) {
        return { kind: "fatal", error: fail(`HTTP ${res.status}: response larger than ${maxBytes} bytes`) };
      }
      if (res.ok) return { kind: "ok", text };
      const detail = `HTTP ${res.status}: ${describeErrorBody(text)}`;
      if (res.status === 429 || res.status >= 500) {
        return {
          kind: "retry",
          error: fail(detail),
          retryAfterMs: retryAfterMs(res.headers.get("retry-after")),
        };
      }
      return { kind: "fatal", error: fail(detail) };
    } catch (e) {
      if (signal.aborted) throw signal.reason ?? e;
      if (timedOut) return { kind: "fatal", error: fail(`no complete response within ${timeoutMs} ms`, e) };
      return { kind: "retry", error: fail(`network error: ${errorMessage(e)}`, e) };
    } finally {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
    }
  }

  return {
    async complete(request, signal) {
      const body = JSON.stringify({
        model: opts.llm.model,
        ...(opts.llm.temperature === undefined ? {} : { temperature: opts.llm.temperature }),
        ...request,
      });
      for (let n = 0; ; n++) {
        const outcome = await attempt(body, signal);
        if (outcome.kind === "ok") return decode(outcome.text, fail);
        if (outcome.kind === "fatal" || n >= maxRetries) {
          if (n > 0 && outcome.kind === "retry") {
            throw new AppError("upstream_failed", `${outcome.error.message} (after ${n + 1} attempts)`, {
              cause: outcome.error.cause,
            });
          }
          throw outcome.error;
        }
        const backoff = Math.min(backoffMs * 2 ** n, maxBackoffMs);
        await sleep(Math.min(Math.max(backoff, outcome.retryAfterMs ?? 0), maxBackoffMs), signal);
      }
    },
  };
}

type Attempt =
  | { kind: "ok"; text: string }
  | { kind: "retry"; error: AppError; retryAfterMs?: number | undefined }
  | { kind: "fatal"; error: AppError };

function decode(text: string, fail: (m: string) => AppError): ChatResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail(`response is not JSON: ${quoteFrame(text)}`);
  }
  const r = chatCompletionSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw fail(
      `response is not a chat.completion (${issue?.path.join(".") || "(root)"}: ${issue?.message}): ${quoteFrame(text)}`,
    );
  }
  const choice = r.data.choices[0];
  if (!choice) throw fail("response has no choices");
  return {
    content: choice.message.content ?? null,
    toolCalls: (choice.message.tool_calls ?? []).map((c) => ({
      id: c.id,
      name: c.function.name,
      arguments: c.function.arguments,
    })),
    finishReason: choice.finish_reason ?? null,
  };
}

function describeErrorBody(text: string): string {
  try {
    const r = openAiErrorSchema.safeParse(JSON.parse(text));
    if (r.success) return quoteFrame(r.data.error.message);
  } catch {
    // Not JSON: quote the raw body below.
  }
  return quoteFrame(text) || "(empty body)";
}

/** Reads the body up to `maxBytes`; undefined when it is larger (the rest is not downloaded). */
async function readBounded(res: Response, maxBytes: number): Promise<string | undefined> {
  const declared = Number(res.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    all.set(c, offset);
    offset += c.byteLength;
  }
  return new TextDecoder().decode(all);
}

/** `Retry-After` in seconds (the form OpenAI-compatible servers send), as ms. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
