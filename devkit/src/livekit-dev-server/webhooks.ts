import { createHash, randomBytes } from "node:crypto";
import { WebhookEvent } from "@livekit/protocol";
import { AccessToken } from "livekit-server-sdk";
import type { RegistryEvent, RoomRegistry } from "./room-registry.ts";

export interface WebhookOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  /** Delivery tuning; tests shorten it. */
  retryDelaysMs?: readonly number[];
  requestTimeoutMs?: number;
  maxQueued?: number;
  onDropped?: (event: string, reason: string) => void;
}

/** livekit-server signs each webhook with a token valid this long. */
const TOKEN_TTL_S = 5 * 60;
const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000];
const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_QUEUED = 256;

/**
 * Posts room_started, room_finished, participant_joined/left and track_published/unpublished
 * to `url` the way livekit-server does: protobuf-JSON `WebhookEvent` body, content-type
 * `application/webhook+json`, `Authorization: <JWT>` whose `sha256` claim is the body's
 * base64 SHA-256 (what the SDK's WebhookReceiver checks). Events go out one at a time in order,
 * each retried a few times; the queue is bounded and drops the oldest. Never throws into the
 * registry. Returns a function that stops delivery.
 */
export function startWebhooks(registry: RoomRegistry, opts: WebhookOptions): () => void {
  const url = new URL(opts.url);
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`webhook url must be http(s); got "${opts.url}"`);
  }
  const retryDelays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxQueued = opts.maxQueued ?? DEFAULT_MAX_QUEUED;
  const dropped =
    opts.onDropped ??
    ((event, reason) => console.warn(`[livekit-dev-server] webhook ${event} dropped: ${reason}`));
  const queue: WebhookEvent[] = [];
  const stopController = new AbortController();
  let draining = false;

  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      for (let next = queue.shift(); next && !stopController.signal.aborted; next = queue.shift()) {
        await deliver(next);
      }
    } finally {
      draining = false;
    }
  };

  const deliver = async (event: WebhookEvent) => {
    const body = event.toJsonString();
    let lastError = "";
    for (let attempt = 0; attempt <= retryDelays.length; attempt += 1) {
      if (stopController.signal.aborted) return;
      if (attempt > 0) await sleep(retryDelays[attempt - 1] ?? 0, stopController.signal);
      try {
        const res = await fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/webhook+json",
            authorization: await sign(body, opts.apiKey, opts.apiSecret),
          },
          body,
          signal: AbortSignal.any([stopController.signal, AbortSignal.timeout(timeoutMs)]),
        });
        // Drain the reply so the connection is reusable.
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return;
        lastError = `HTTP ${res.status}`;
        // A 4xx will not change on retry (bad signature, wrong path): give up now.
        if (res.status >= 400 && res.status < 500) break;
      } catch (err) {
        if (stopController.signal.aborted) return;
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    dropped(event.event, `delivery to ${url.origin}${url.pathname} failed: ${lastError}`);
  };

  const unsubscribe = registry.on((e) => {
    if (stopController.signal.aborted) return;
    if (queue.length >= maxQueued) {
      const oldest = queue.shift();
      if (oldest) dropped(oldest.event, `more than ${maxQueued} events queued`);
    }
    queue.push(toWebhookEvent(e));
    drain().catch((err: unknown) => dropped("queue", err instanceof Error ? err.message : String(err)));
  });

  return () => {
    unsubscribe();
    stopController.abort();
    queue.length = 0;
  };
}

function toWebhookEvent(e: RegistryEvent): WebhookEvent {
  // Snapshot now: the registry mutates its Room/ParticipantInfo objects after the event.
  const event = new WebhookEvent({
    event: e.type,
    id: `EV_${randomBytes(9).toString("base64url")}`,
    createdAt: BigInt(Math.floor(Date.now() / 1000)),
    room: e.room.clone(),
  });
  if (e.type !== "room_started" && e.type !== "room_finished") event.participant = e.participant.clone();
  if (e.type === "track_published" || e.type === "track_unpublished") event.track = e.track.clone();
  return event;
}

async function sign(body: string, apiKey: string, apiSecret: string): Promise<string> {
  const token = new AccessToken(apiKey, apiSecret, { ttl: TOKEN_TTL_S });
  token.sha256 = createHash("sha256").update(body).digest("base64");
  return token.toJwt();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
