/**
 * What every contract file speaks the gateway with: an HTTP client that records each answer
 * (status, headers, body) for the leak scans, the error-envelope check, bounded polling, a
 * webhook receiver on loopback and a reader for a run's event stream. HTTP only, so the
 * files run unchanged against any runtime in TARGETS.
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import { expect } from "vitest";
import type { RunningTarget } from "./gateway-targets.ts";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the contract reads every route's JSON answer
  body: any;
}

export interface CallOptions {
  key?: string;
  headers?: Record<string, string>;
  /** A body sent as it is (not JSON-encoded), e.g. one that is not JSON. */
  raw?: string;
  /**
   * The answer that shows a new key or webhook secret once, by design: kept apart, so the
   * leak scan can check every other answer for it.
   */
  showsSecret?: boolean;
}

export interface ContractClient {
  call(method: string, path: string, body?: unknown, options?: CallOptions): Promise<Answer>;
  /** Every answer except the ones that show a secret once, each as status, headers and body. */
  readonly answers: string[];
  /** The answers that show a secret once, apart from the others. */
  readonly shown: string[];
  /** Records text the suite received some other way (an event stream, a webhook body). */
  record(text: string): void;
}

export function contractClient(gw: RunningTarget): ContractClient {
  const answers: string[] = [];
  const shown: string[] = [];
  return {
    answers,
    shown,
    record: (text) => answers.push(text),
    async call(method, path, body, options = {}) {
      const headers: Record<string, string> = { "X-API-Key": options.key ?? gw.apiKey, ...options.headers };
      let payload: string | undefined = options.raw;
      if (body !== undefined) {
        payload = JSON.stringify(body);
        headers["Content-Type"] = "application/json";
      }
      const res = await fetch(`${gw.baseUrl}${path}`, {
        method,
        headers,
        ...(payload === undefined ? {} : { body: payload }),
      });
      const text = await res.text();
      (options.showsSecret ? shown : answers).push(`${res.status} ${[...res.headers].join(" ")} ${text}`);
      const json = res.headers.get("content-type")?.includes("application/json") && text !== "";
      return { status: res.status, headers: res.headers, text, body: json ? JSON.parse(text) : undefined };
    },
  };
}

/**
 * The one error envelope: exactly `{"error": {"code", "message", "request_id"}}`, the status of
 * the code, the request id echoed in `X-Request-Id`, and (when given) the message.
 */
export function expectError(res: Answer, status: number, code: string, message?: string | RegExp): void {
  expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status, code });
  expect(Object.keys(res.body).sort()).toEqual(["error"]);
  expect(Object.keys(res.body.error).sort()).toEqual(["code", "message", "request_id"]);
  expect(res.body.error.request_id).toBe(res.headers.get("x-request-id"));
  expect(res.body.error.request_id).not.toBe("");
  if (typeof message === "string") expect(res.body.error.message).toBe(message);
  else if (message !== undefined) expect(res.body.error.message).toMatch(message);
}

/** Polls until `done` holds, at most `attempts` times 100 ms apart; answers the last value. */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (v: T) => boolean,
  attempts = 100,
): Promise<T> {
  let value = await read();
  for (let i = 1; i < attempts && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  return value;
}

/** A new workspace through the operator routes; answers its first key. */
export async function createWorkspace(gw: RunningTarget, adminToken: string, name: string) {
  const res = await fetch(`${gw.baseUrl}/v1/admin/workspaces`, {
    method: "POST",
    headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name }),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { workspace_id: number; user_id: number; api_key: string };
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  body: string;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** The status deliveries get once `first` is used up. */
  answer: number;
  close(): Promise<void>;
}

/**
 * A webhook receiver on 127.0.0.1 that records each delivery; the first deliveries get the
 * statuses of `first` in turn, later ones `answer` (200 unless changed). Each is recorded as it
 * arrives. With `holdFirstMs`, the first is answered only that long after it arrived: an
 * attempt still in flight.
 */
export async function startReceiver(
  first: number[] = [],
  answer = 200,
  holdFirstMs = 0,
): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const receiver: WebhookReceiver = {
    url: "",
    deliveries,
    answer,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // The gateway's fetch keeps connections alive; they would hold close() open.
        server.closeAllConnections();
      }),
  };
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      body += chunk;
    });
    req.on("end", () => {
      const status = first[deliveries.length] ?? receiver.answer;
      deliveries.push({ headers: req.headers, body, status });
      if (deliveries.length === 1 && holdFirstMs > 0) {
        setTimeout(() => res.destroyed || res.writeHead(status).end(), holdFirstMs).unref();
      } else {
        res.writeHead(status).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  receiver.url = `http://127.0.0.1:${port}/hook`;
  return receiver;
}

export interface StreamEvent {
  id: string;
  event: string;
  data: string;
}

/** A run's whole event stream (it closes after `ended`), parsed; `Last-Event-ID` when given. */
export async function readEvents(
  gw: RunningTarget,
  client: ContractClient,
  runId: number,
  lastEventId?: string,
): Promise<StreamEvent[]> {
  const res = await fetch(`${gw.baseUrl}/v1/runs/${runId}/events`, {
    headers: {
      "X-API-Key": gw.apiKey,
      ...(lastEventId === undefined ? {} : { "Last-Event-ID": lastEventId }),
    },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const text = await res.text();
  client.record(text);
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "" && !block.startsWith(":"))
    .map((block) => {
      const field = (name: string) =>
        block
          .split("\n")
          .filter((line) => line.startsWith(`${name}:`))
          .map((line) => line.slice(name.length + 1).replace(/^ /, ""))
          .join("\n");
      return { id: field("id"), event: field("event"), data: field("data") };
    });
}
