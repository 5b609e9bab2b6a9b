import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createPlainProgress } from "./plain-progress.ts";
import type { ProgressStream } from "./progress-reporter.ts";
import { interruptedRun, sampleSuiteReport } from "./sample-suite-report.ts";
import { createTtyProgress } from "./tty-progress.ts";

function capture(columns?: number): ProgressStream & { chunks: string[]; text(): string } {
  const chunks: string[] = [];
  return {
    chunks,
    ...(columns === undefined ? {} : { columns }),
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(""),
  };
}

const [pass1, pass2, timeout, assertion] = sampleSuiteReport.runs;
if (!pass1 || !pass2 || !timeout || !assertion) throw new Error("fixture has four runs");

describe("createPlainProgress", () => {
  it("writes one plain line per finished run and nothing else", () => {
    const out = capture();
    const progress = createPlainProgress(out);
    for (const run of sampleSuiteReport.runs) progress.runStarted(run.run_id, run.scenario_id, run.attempt);
    for (const run of sampleSuiteReport.runs) progress.runFinished(run);
    progress.done();
    expect(out.text()).toBe(
      [
        "PASS pay-bill#1 (203 ms)",
        "PASS pay-bill#2 (180 ms)",
        "FAIL angry-refund#1 (1.5 s) agent_timeout: agent did not reply within 1 s",
        "FAIL escape#1 (90 ms) expectation failed: expected /confirm/i, agent said a<b & \"c\" 'd'\\u0001\\u001B[31mred",
        "",
      ].join("\n"),
    );
  });
});

describe("URLs in progress lines", () => {
  it("are printed without credentials or query", () => {
    const out = capture();
    createPlainProgress(out).runFinished({
      ...timeout,
      ended_reason: "connection_failed",
      error: "could not connect to wss://bot:pw@agent.example/ws?token=s3cret: ECONNREFUSED",
    });
    expect(out.text()).toBe(
      "FAIL angry-refund#1 (1.5 s) connection_failed: could not connect to wss://agent.example/ws: ECONNREFUSED\n",
    );
  });
});

describe("interrupted runs in progress", () => {
  it("read INTERRUPTED and do not count as failed on the bar", () => {
    const plain = capture();
    createPlainProgress(plain).runFinished(interruptedRun);
    expect(plain.text()).toBe("INTERRUPTED slow-agent#1 (1.2 s)\n");
    const tty = capture(120);
    const progress = createTtyProgress(tty, 2, { throttleMs: 0 });
    progress.runFinished(interruptedRun);
    expect(tty.chunks).toEqual([
      "\u001B[33mINTERRUPTED\u001B[0m slow-agent#1 (1.2 s)\n",
      "\r\u001B[2K[██████████░░░░░░░░░░] 1/2 runs",
    ]);
  });
});

describe("createTtyProgress", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("prints finished runs above a bar that is redrawn in place", () => {
    const out = capture(120);
    const progress = createTtyProgress(out, 2, { color: false, throttleMs: 0 });
    progress.runStarted("r1", "pay-bill", 1);
    progress.runFinished(pass1);
    progress.done();
    expect(out.chunks).toEqual([
      "\r\u001B[2K[░░░░░░░░░░░░░░░░░░░░] 0/2 runs · running: pay-bill#1",
      "\r\u001B[2KPASS pay-bill#1 (203 ms)\n",
      "\r\u001B[2K[██████████░░░░░░░░░░] 1/2 runs",
      "\r\u001B[2K[██████████░░░░░░░░░░] 1/2 runs",
      "\n",
    ]);
  });

  it("throttles bar redraws but never delays a finished run's line", () => {
    const out = capture(120);
    const progress = createTtyProgress(out, 4, { color: false, throttleMs: 100 });
    progress.runStarted("r1", "pay-bill", 1);
    progress.runStarted("r2", "pay-bill", 2);
    progress.runStarted("r3", "angry-refund", 1);
    expect(out.chunks).toHaveLength(1);
    progress.runFinished(timeout);
    expect(out.chunks[1]).toBe(
      "\r\u001B[2KFAIL angry-refund#1 (1.5 s) agent_timeout: agent did not reply within 1 s\n",
    );
    expect(out.chunks).toHaveLength(2);
    vi.advanceTimersByTime(100);
    expect(out.chunks).toEqual([
      "\r\u001B[2K[░░░░░░░░░░░░░░░░░░░░] 0/4 runs · running: pay-bill#1",
      "\r\u001B[2KFAIL angry-refund#1 (1.5 s) agent_timeout: agent did not reply within 1 s\n",
      "\r\u001B[2K[█████░░░░░░░░░░░░░░░] 1/4 runs · 1 failed · running: pay-bill#1, pay-bill#2",
    ]);
  });

  it("cuts the running list so the bar fits the terminal width", () => {
    const out = capture(60);
    const progress = createTtyProgress(out, 10, { color: false, throttleMs: 0 });
    for (let i = 1; i <= 6; i++) progress.runStarted(`r${i}`, "a-long-scenario-name", i);
    const last = out.chunks.at(-1) ?? "";
    expect(last.replace("\r\u001B[2K", "")).toHaveLength(59);
    expect(last.endsWith("…")).toBe(true);
  });

  it("colors the run verdicts and the failure count", () => {
    const out = capture(120);
    const progress = createTtyProgress(out, 2, { throttleMs: 0 });
    progress.runFinished(timeout);
    progress.runFinished(pass2);
    expect(out.text()).toContain("\u001B[31mFAIL\u001B[0m angry-refund#1");
    expect(out.text()).toContain("\u001B[32mPASS\u001B[0m pay-bill#2");
    expect(out.text()).toContain("\u001B[31m1 failed\u001B[0m");
  });
});
