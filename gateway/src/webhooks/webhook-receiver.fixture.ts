/**
 * A real HTTP receiver on loopback for the deliverer's tests (test code: node:http is fine here).
 * Each request takes the next scripted reply (200 once the script is exhausted) and is recorded
 * with its exact body bytes.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type Reply =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  /** Never answers: the deliverer's timeout has to end the attempt. */
  | { hang: true };

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  received: ReceivedRequest[];
  /** Replies for the next requests, in order. */
  script: Reply[];
  /** Most requests that were open at the same moment. */
  maxInFlight: number;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let inFlight = 0;
  const receiver: Omit<WebhookReceiver, "url" | "close"> = { received: [], script: [], maxInFlight: 0 };
  const server = createServer((req, res) => {
    inFlight++;
    receiver.maxInFlight = Math.max(receiver.maxInFlight, inFlight);
    res.on("close", () => inFlight--);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      receiver.received.push({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      const reply = receiver.script.shift() ?? { status: 200 };
      if ("hang" in reply) return;
      if (reply.delayMs === undefined) answer(res, reply);
      else setTimeout(() => answer(res, reply), reply.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function answer(
  res: ServerResponse,
  reply: { status: number; body?: string; headers?: Record<string, string> },
) {
  res.writeHead(reply.status, reply.headers ?? {});
  res.end(reply.body ?? "");
}
