/**
 * A session's signal requests, handled strictly one after another, each within a time limit, with
 * a bound on how many may wait. A request that fails or hangs (werift given nonsense SDP) leaves
 * the peer connections in an unknown state: the caller decides, per request, what that means.
 */
export const MAX_QUEUED_REQUESTS = 256;
export const REQUEST_TIMEOUT_MS = 10_000;

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not complete within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

export class OrderedRequests {
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;

  constructor(
    private readonly limits: { maxQueued: number; timeoutMs: number } = {
      maxQueued: MAX_QUEUED_REQUESTS,
      timeoutMs: REQUEST_TIMEOUT_MS,
    },
  ) {}

  /**
   * Queues `run` after every earlier request. Returns false (and runs nothing) when the queue is
   * full. `failed` gets the error of a request that threw or ran over the time limit.
   */
  push(what: string, run: () => Promise<void>, failed: (why: string) => void): boolean {
    if (this.#queued >= this.limits.maxQueued) return false;
    this.#queued += 1;
    this.#queue = this.#queue.then(async () => {
      try {
        await withTimeout(run(), this.limits.timeoutMs, what);
      } catch (err) {
        failed(err instanceof Error ? err.message : String(err));
      } finally {
        this.#queued -= 1;
      }
    });
    return true;
  }
}
