/**
 * A real HTTP receiver on loopback for outbox tests: speaks the delivery contract
 * (multipart + Idempotency-Key), can fail the first N attempts, and dedupes by key the way
 * the gateway must.
 */
import { createHash } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

export interface ReceivedDelivery {
  key: string;
  payload: string;
  /** Part name → SHA-256 of the bytes received. */
  files: Record<string, string>;
}

export interface ResultReceiver {
  url: string;
  /** Every request, including failed and duplicate ones, in arrival order (their keys). */
  attempts: string[];
  /** One entry per distinct idempotency key: what a deduping receiver stores. */
  deliveries: Map<string, ReceivedDelivery>;
  /** Resolves when the next request arrives (before it is answered). */
  nextRequest(): Promise<void>;
  close(): Promise<void>;
}

export interface ResultReceiverOptions {
  /** Answer 503 to this many requests before accepting. */
  failFirst?: number;
  /** Never answer the first request (the sender is expected to be killed meanwhile). */
  hangFirst?: boolean;
}

export async function startResultReceiver(opts: ResultReceiverOptions = {}): Promise<ResultReceiver> {
  const attempts: string[] = [];
  const deliveries = new Map<string, ReceivedDelivery>();
  let failuresLeft = opts.failFirst ?? 0;
  let hang = opts.hangFirst ?? false;
  let waiters: (() => void)[] = [];
  const app = new Hono();
  app.post("/results", async (c) => {
    const key = c.req.header("idempotency-key") ?? "";
    attempts.push(key);
    const notify = waiters;
    waiters = [];
    for (const w of notify) w();
    if (hang) {
      hang = false;
      await new Promise<never>(() => {});
    }
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return c.text("try later", 503);
    }
    const form = await c.req.formData();
    const files: Record<string, string> = {};
    let payload = "";
    for (const [name, value] of form.entries()) {
      if (typeof value === "string") continue;
      const bytes = Buffer.from(await value.arrayBuffer());
      if (name === "result") payload = bytes.toString("utf8");
      else files[name] = createHash("sha256").update(bytes).digest("hex");
    }
    if (!deliveries.has(key)) deliveries.set(key, { key, payload, files });
    return c.json({ ok: true });
  });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("receiver is not listening on TCP");
  const { port } = address;
  return {
    url: `http://127.0.0.1:${port}/results`,
    attempts,
    deliveries,
    nextRequest: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A hung request would keep close() waiting forever.
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}
