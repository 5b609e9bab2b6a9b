import { afterEach, describe, expect, it, vi } from "vitest";
import { OrderedRequests } from "./ordered-requests.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("OrderedRequests", () => {
  it("runs requests one after another in the order they came", async () => {
    const requests = new OrderedRequests();
    const log: string[] = [];
    let release: () => void = () => undefined;
    const first = new Promise<void>((r) => {
      release = r;
    });
    requests.push(
      "a",
      async () => {
        log.push("a start");
        await first;
        log.push("a end");
      },
      () => undefined,
    );
    const done = new Promise<void>((resolve) =>
      requests.push(
        "b",
        async () => {
          log.push("b");
          resolve();
        },
        () => undefined,
      ),
    );
    await Promise.resolve();
    expect(log).toEqual(["a start"]);
    release();
    await done;
    expect(log).toEqual(["a start", "a end", "b"]);
  });

  it("refuses a request once the queue is full", () => {
    const requests = new OrderedRequests({ maxQueued: 2, timeoutMs: 1_000 });
    const never = () => new Promise<void>(() => undefined);
    expect(requests.push("a", never, () => undefined)).toBe(true);
    expect(requests.push("b", never, () => undefined)).toBe(true);
    expect(requests.push("c", never, () => undefined)).toBe(false);
  });

  it("reports a request that runs over its time limit by name, then runs the next", async () => {
    vi.useFakeTimers();
    const requests = new OrderedRequests({ maxQueued: 4, timeoutMs: 10_000 });
    const failures: string[] = [];
    let nextRan = false;
    requests.push(
      "offer request",
      () => new Promise<void>(() => undefined),
      (why) => failures.push(why),
    );
    requests.push(
      "answer request",
      async () => {
        nextRan = true;
      },
      (why) => failures.push(why),
    );
    await vi.advanceTimersByTimeAsync(9_999);
    expect(failures).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(failures).toEqual(["offer request did not complete within 10000 ms"]);
    expect(nextRan).toBe(true);
  });

  it("reports a request that throws with its message", async () => {
    const requests = new OrderedRequests();
    const failed = new Promise<string>((resolve) =>
      requests.push(
        "trickle request",
        async () => {
          throw new Error("bad candidate");
        },
        resolve,
      ),
    );
    expect(await failed).toBe("bad candidate");
  });
});
