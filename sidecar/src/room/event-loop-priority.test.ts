import { readdirSync, readFileSync } from "node:fs";
import { getPriority, setPriority } from "node:os";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { lowerMediaThreads } from "./event-loop-priority.ts";

const tids = () => readdirSync("/proc/self/task").map(Number);
/** Niceness from /proc (field 19 of stat), independent of os.getPriority. */
const niceOf = (tid: number) =>
  Number(readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]?.split(" ")[16]);

const original = new Map(tids().map((t) => [t, getPriority(t)]));
afterEach(() => {
  for (const [tid, nice] of original) {
    try {
      setPriority(tid, nice);
    } catch {
      // ended
    }
  }
});

describe.skipIf(process.platform !== "linux")("lowerMediaThreads", () => {
  it("keeps every thread but the JavaScript one at the given niceness, including threads started later", async () => {
    const mainNice = niceOf(process.pid);
    const target = Math.min(19, mainNice + 1);
    const handle = lowerMediaThreads(target, 20);
    const before = new Set(tids());
    const worker = new Worker("setInterval(() => {}, 1000)", { eval: true });
    await new Promise((r) => worker.once("online", r));
    await new Promise((r) => setTimeout(r, 100));
    const started = tids().filter((t) => !before.has(t));
    expect(started.length).toBeGreaterThan(0);
    for (const t of started) expect(niceOf(t)).toBe(target);
    for (const t of tids()) if (t !== process.pid) expect(niceOf(t)).toBe(target);
    expect(niceOf(process.pid)).toBe(mainNice);
    handle.stop();
    await worker.terminate();
  });

  it("refuses a niceness outside -20..19", () => {
    expect(() => lowerMediaThreads(25)).toThrow(/integer from -20 to 19; got 25/);
  });
});
