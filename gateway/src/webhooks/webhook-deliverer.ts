/**
 * Drains the webhook queue: claims due deliveries, POSTs each signed, and records delivered or
 * the next attempt (retry-schedule.ts). Runtime-neutral (fetch, WebCrypto, AbortSignal, timers):
 * on Node `start()` polls; on Workers a cron trigger or an alarm calls `tick()`.
 * At least once: a worker that dies mid-attempt leaves a lease that runs out, and the delivery
 * is sent again with the same event id and body, which receivers dedupe on `Spar-Event-Id`.
 */
import { nextAttemptAt, type RetryPolicy, WEBHOOK_RETRY_POLICY } from "./retry-schedule.ts";
import type { ClaimedWebhookDelivery, WebhookQueue } from "./webhook-queue.ts";
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhook } from "./webhook-signature.ts";

/** `fetch` as the deliverer uses it; the app wraps the real one with the outbound (SSRF) policy. */
export type OutboundFetch = (url: string, init: RequestInit) => Promise<Response>;

export interface WebhookTarget {
  url: string;
  /** Plain text; the lookup decrypts it. Never logged, never stored in a delivery. */
  secret: string;
}

/**
 * Where a webhook's deliveries go, read at every attempt so a URL edit applies to pending
 * retries and a deleted webhook stops them. `undefined` = the webhook no longer exists.
 */
export type WebhookTargetLookup = (webhookId: number) => Promise<WebhookTarget | undefined>;

export type WebhookLog = (event: string, fields: Record<string, string | number>) => void;

export interface WebhookDelivererOptions {
  queue: WebhookQueue;
  targets: WebhookTargetLookup;
  fetch: OutboundFetch;
  /** Epoch ms; injected so schedules and signatures are exact in tests. */
  now: () => number;
  /** In [0, 1]; the retry jitter. */
  random: () => number;
  /** Per attempt, headers and the bounded body read included. */
  timeoutMs: number;
  /** Most attempts in flight at once (per deliverer). Default 4. */
  concurrency?: number;
  /** How long a claim holds; must outlast one attempt plus the write of its outcome. Default timeoutMs + 60 s. */
  leaseMs?: number;
  /** Interval of `start()`'s polling. Default 1 s. */
  pollIntervalMs?: number;
  retryPolicy?: RetryPolicy;
  log?: WebhookLog;
}

export interface TickReport {
  delivered: number;
  /** Failed and scheduled again. */
  retrying: number;
  /** Failed for the last time, or the webhook was deleted. */
  givenUp: number;
}

export interface WebhookDeliverer {
  /** Sends everything due now (and what becomes due while it runs); overlapping calls run one after another. */
  tick(): Promise<TickReport>;
  /** Something was enqueued: tick soon instead of at the next poll. Errors go to `log`. */
  wake(): void;
  /** Polls every `pollIntervalMs`, starting now. Idempotent. */
  start(): void;
  /** Stops polling and claiming; resolves once attempts in flight have finished (each ≤ timeoutMs). */
  stop(): Promise<void>;
}

/** Enough of an error answer to diagnose it in `last_error`, never a whole page. */
export const ERROR_BODY_BYTES = 4_096;

const encoder = new TextEncoder();

type Outcome = { ok: true; status: number } | { ok: false; error: string };

export function createWebhookDeliverer(options: WebhookDelivererOptions): WebhookDeliverer {
  const { queue, targets, now, random, timeoutMs, log } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const leaseMs = options.leaseMs ?? timeoutMs + 60_000;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const policy = options.retryPolicy ?? WEBHOOK_RETRY_POLICY;

  let stopping = false;
  /** Bumped by every start(), so a poll that outlives a stop()+start() does not start a second loop. */
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let current: Promise<TickReport> | undefined;
  let queued: Promise<TickReport> | undefined;
  let interruptNap: (() => void) | undefined;

  async function send(d: ClaimedWebhookDelivery, target: { url: string; secret: string }): Promise<Outcome> {
    const body = encoder.encode(d.body);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const signature = await signWebhook(target.secret, body, Math.floor(now() / 1000));
      const response = await options.fetch(target.url, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "Spar-Webhooks/1",
          [SIGNATURE_HEADER]: signature,
          [EVENT_ID_HEADER]: d.eventId,
        },
        body,
        // A redirect is a failure, not a new address: following it would send a signed body to a
        // host nobody configured (and around the outbound policy checked on the configured URL).
        redirect: "manual",
        signal,
      });
      if (response.status >= 200 && response.status < 300) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: true, status: response.status };
      }
      if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
        await response.body?.cancel().catch(() => undefined);
        return { ok: false, error: `HTTP ${response.status}: redirects are not followed` };
      }
      const excerpt = await readExcerpt(response);
      return {
        ok: false,
        error: excerpt ? `HTTP ${response.status}: ${excerpt}` : `HTTP ${response.status}`,
      };
    } catch (cause) {
      if (signal.aborted) return { ok: false, error: `timed out after ${timeoutMs} ms` };
      return { ok: false, error: `request failed: ${errorText(cause)}` };
    }
  }

  async function attempt(d: ClaimedWebhookDelivery, report: TickReport): Promise<void> {
    const fields = {
      delivery_id: d.id,
      webhook_id: d.webhookId,
      event_id: d.eventId,
      attempt: d.failedAttempts + 1,
    };
    try {
      const target = await targets(d.webhookId);
      const outcome: Outcome = target ? await send(d, target) : { ok: false, error: "webhook deleted" };
      const atMs = now();
      if (outcome.ok) {
        await queue.markDelivered(d, atMs);
        report.delivered++;
        log?.("webhook_delivered", { ...fields, status: outcome.status });
        return;
      }
      const firstFailedAtMs = d.firstFailedAtMs ?? atMs;
      const next = target
        ? nextAttemptAt(d.failedAttempts + 1, firstFailedAtMs, random(), policy)
        : undefined;
      await queue.markFailed(d, { atMs, error: outcome.error, nextAttemptAtMs: next });
      if (next === undefined) report.givenUp++;
      else report.retrying++;
      log?.(next === undefined ? "webhook_given_up" : "webhook_retry", {
        ...fields,
        error: outcome.error,
        ...(next === undefined ? {} : { next_attempt_at_ms: next }),
      });
    } catch (cause) {
      // The queue could not record the outcome; the lease running out makes the delivery due again.
      log?.("webhook_attempt_error", { ...fields, error: errorText(cause) });
    }
  }

  /** A pool: refills free slots as attempts finish, so one slow receiver does not hold up the rest. */
  async function drain(): Promise<TickReport> {
    const report: TickReport = { delivered: 0, retrying: 0, givenUp: 0 };
    const inFlight = new Set<Promise<void>>();
    try {
      while (!stopping) {
        const free = concurrency - inFlight.size;
        const claimed = free > 0 ? await queue.claimDue(now(), free, leaseMs) : [];
        for (const d of claimed) {
          const p: Promise<void> = attempt(d, report).finally(() => inFlight.delete(p));
          inFlight.add(p);
        }
        if (inFlight.size === 0) break;
        // With slots free, look again after a poll interval (or a wake) rather than only when an
        // attempt ends: a receiver that hangs until the timeout must not hold up new deliveries.
        await (inFlight.size < concurrency ? raceWithNap([...inFlight]) : Promise.race(inFlight));
      }
    } finally {
      await Promise.all(inFlight);
    }
    return report;
  }

  /** Resolves when the first attempt ends, the poll interval passes, or wake()/stop() is called. */
  async function raceWithNap(attempts: Promise<void>[]): Promise<void> {
    let nap: ReturnType<typeof setTimeout> | undefined;
    const napped = new Promise<void>((resolve) => {
      nap = setTimeout(resolve, pollIntervalMs);
      interruptNap = resolve;
    });
    try {
      await Promise.race([...attempts, napped]);
    } finally {
      clearTimeout(nap);
      interruptNap = undefined;
    }
  }

  function tick(): Promise<TickReport> {
    if (current === undefined) {
      current = drain().finally(() => {
        current = undefined;
      });
      return current;
    }
    // One drain at a time keeps the concurrency bound; a call during one runs right after it,
    // so a delivery enqueued after the running drain looked is not left for the next poll.
    queued ??= current
      .catch(() => undefined)
      .then(() => {
        queued = undefined;
        return tick();
      });
    return queued;
  }

  async function pollOnce(): Promise<void> {
    try {
      await tick();
    } catch (cause) {
      // A locked or unreachable database must not end delivery for the life of the process.
      log?.("webhook_tick_error", { error: errorText(cause) });
    }
  }

  function schedule(delayMs: number, loop: number): void {
    timer = setTimeout(() => {
      void pollOnce().then(() => {
        if (!stopping && loop === generation) schedule(pollIntervalMs, loop);
      });
    }, delayMs);
  }

  return {
    tick,
    wake() {
      if (stopping) return;
      if (interruptNap) interruptNap();
      else void pollOnce();
    },
    start() {
      if (timer !== undefined && !stopping) return;
      stopping = false;
      generation++;
      schedule(0, generation);
    },
    async stop() {
      stopping = true;
      interruptNap?.();
      clearTimeout(timer);
      timer = undefined;
      await queued?.catch(() => undefined);
      await current?.catch(() => undefined);
    },
  };
}

/** Reads at most ERROR_BODY_BYTES of an answer; what arrived before an error or the timeout is kept. */
async function readExcerpt(response: Response): Promise<string> {
  if (response.body === null) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut short still says something; the status is what matters.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(Math.min(size, ERROR_BODY_BYTES));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder().decode(bytes).trim();
}

function errorText(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? ` (${cause.cause.message})` : "";
    return `${cause.message}${inner}`;
  }
  return String(cause);
}
