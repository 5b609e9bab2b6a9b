/**
 * The bench's side of the gateway API, the same for Node and workerd: upsert a suite, start one
 * test run, poll it until its verdict settles. Every wait is bounded: a request has a timeout,
 * and a test run whose server stops answering (or crashed, or that passes its deadline) comes
 * back unfinished with the last tally and why, so the bench reports it instead of hanging.
 * Progress is not judged by runs ending: concurrent runs that share one CPU end together.
 */

export interface GatewayEndpoint {
  url: string;
  apiKey: string;
}

export interface TestRunWait {
  frequency?: number;
  pollMs: number;
  /** Gives up this long after the test run was started. */
  deadlineMs: number;
  /** Gives up when no poll has been answered for this long. */
  stallMs: number;
  /** Asked before each poll: a reason to give up now (the server crashed), or undefined. */
  giveUp?: () => string | undefined;
  /** Per request. */
  requestTimeoutMs?: number;
  /** Called after each answered poll with the time since the start and the tally. */
  onPoll?: (elapsedMs: number, runs: RunTally) => void;
}

export interface RunTally {
  total: number;
  completed: number;
  failed: number;
  passed: number;
}

export type TestRunOutcome = {
  testRunId: number;
  /** From POST /v1/test-runs to the poll that saw the verdict settle (or the wait gave up). */
  wallMs: number;
  /** POST /v1/test-runs alone: storing the runs and submitting them. */
  startMs: number;
  runs: RunTally;
  /** Polls answered 429 (the per-key rate limit). */
  rateLimited: number;
  /** Polls that got no answer in time (or failed to connect); the wait goes on. */
  unanswered: number;
  /** Why runs did not pass, from the last view's `failed_runs`: reason → count. */
  failures: Map<string, number>;
} & (
  | { finished: true /** finished_at − created_at, as the server stamped them. */; serverMs: number }
  | { finished: false; why: string }
);

export class GatewayAnswerError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "GatewayAnswerError";
  }
}

export async function api(
  gw: GatewayEndpoint,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 60_000,
  // biome-ignore lint/suspicious/noExplicitAny: the bench reads a few fields of several answers
): Promise<Record<string, any>> {
  let res: Response;
  try {
    res = await fetch(`${gw.url}${path}`, {
      method,
      headers: { "X-API-Key": gw.apiKey, ...(body ? { "Content-Type": "application/json" } : {}) },
      signal: AbortSignal.timeout(timeoutMs),
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (cause) {
    const timedOut = cause instanceof Error && cause.name === "TimeoutError";
    throw new Error(
      `${method} ${path}: ${timedOut ? `no answer within ${timeoutMs / 1000} s` : String(cause)}`,
      {
        cause,
      },
    );
  }
  if (!res.ok)
    throw new GatewayAnswerError(res.status, `${method} ${path}: ${res.status} ${await res.text()}`);
  // biome-ignore lint/suspicious/noExplicitAny: see above
  return (await res.json()) as Record<string, any>;
}

/** Upserts the suite, starts one test run of it and polls until its verdict settles or the wait gives up. */
export async function throughGateway(
  gw: GatewayEndpoint,
  suite: object,
  wait: TestRunWait,
): Promise<TestRunOutcome> {
  const timeout = wait.requestTimeoutMs ?? 60_000;
  const upserted = await api(gw, "PUT", "/v1/suites", suite, timeout);
  const ids = (upserted.scenarios as { id: number }[]).map((s) => s.id);
  const t0 = performance.now();
  const started = await api(
    gw,
    "POST",
    "/v1/test-runs",
    { agent_id: upserted.agent_id, scenario_ids: ids, frequency: wait.frequency ?? 1 },
    timeout,
  );
  const startMs = performance.now() - t0;
  const testRunId = started.test_run_id as number;
  let rateLimited = 0;
  let unanswered = 0;
  const failures = new Map<string, number>();
  let runs: RunTally = { total: ids.length * (wait.frequency ?? 1), completed: 0, failed: 0, passed: 0 };
  let answeredAt = performance.now();
  for (;;) {
    const now = performance.now();
    const common = { testRunId, startMs, runs, rateLimited, unanswered, failures };
    if (now - t0 > wait.deadlineMs) {
      return {
        ...common,
        finished: false,
        wallMs: now - t0,
        why: `deadline of ${wait.deadlineMs / 1000} s passed`,
      };
    }
    if (now - answeredAt > wait.stallMs) {
      return {
        ...common,
        finished: false,
        wallMs: now - t0,
        why: `no poll answered for ${wait.stallMs / 1000} s`,
      };
    }
    const reason = wait.giveUp?.();
    if (reason !== undefined) return { ...common, finished: false, wallMs: now - t0, why: reason };
    let view: Awaited<ReturnType<typeof api>>;
    try {
      view = await api(gw, "GET", `/v1/test-runs/${testRunId}`, undefined, timeout);
    } catch (error) {
      if (error instanceof GatewayAnswerError && error.status === 429) {
        rateLimited++;
        await sleep(1000);
      } else if (error instanceof GatewayAnswerError) {
        throw error;
      } else {
        unanswered++;
      }
      continue;
    }
    answeredAt = performance.now();
    runs = view.runs as RunTally;
    failures.clear();
    for (const { reason } of view.failed_runs as { reason: string }[]) {
      failures.set(reason, (failures.get(reason) ?? 0) + 1);
    }
    wait.onPoll?.(performance.now() - t0, runs);
    if (view.verdict !== "pending") {
      const serverMs = Date.parse(view.finished_at) - Date.parse(view.created_at);
      return { ...common, runs, finished: true, wallMs: performance.now() - t0, serverMs };
    }
    await sleep(wait.pollMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
