import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { parseSuite, type RunReport, type SuiteInput, type TranscriptEntry } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunRecorder, TextRunJob } from "../../runs/text-run-host.ts";
import { InProcessTextRunHost } from "./in-process-text-run-host.ts";

const SECRET = "host-secret";
let agent: ReferenceTextAgent;
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
});
afterAll(async () => {
  await agent.close();
});

/** A hand-written recorder: keeps every call in order, as the storage adapter would store them. */
class MemoryRecorder implements RunRecorder {
  readonly calls: string[] = [];
  readonly reports = new Map<number, RunReport>();
  readonly entries = new Map<number, TranscriptEntry[]>();
  private readonly waiters: (() => void)[] = [];
  async started(job: TextRunJob) {
    this.calls.push(`started ${job.runId}`);
  }
  async transcript(job: TextRunJob, entry: TranscriptEntry) {
    this.entries.set(job.runId, [...(this.entries.get(job.runId) ?? []), entry]);
  }
  async finished(job: TextRunJob, report: RunReport) {
    this.calls.push(`finished ${job.runId}`);
    this.reports.set(job.runId, report);
    for (const w of this.waiters.splice(0)) w();
  }
  async until(count: number) {
    while (this.reports.size < count) await new Promise<void>((r) => this.waiters.push(r));
  }
}

function job(runId: number, scenario: SuiteInput["scenarios"][number], behavior = ""): TextRunJob {
  const parsed = parseSuite({
    version: 1,
    agent: {
      id: "3",
      text: {
        url: `${agent.url}/echo${behavior ? `?behavior=${behavior}` : ""}`,
        secret: SECRET,
        settle_ms: 20,
        per_turn_timeout_s: 5,
      },
    },
    scenarios: [scenario],
  } satisfies SuiteInput);
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return {
    workspaceId: 1,
    testRunId: 9,
    runId,
    attempt: 1,
    suite: parsed.suite,
    scenario: parsed.suite.scenarios[0]!,
    metrics: [],
  };
}

const host = (
  recorder: RunRecorder,
  checkUrl = async (_url: string): Promise<string | undefined> => undefined,
) => new InProcessTextRunHost({ recorder, perWorkspace: 1, checkUrl, now: () => 0, log: () => undefined });

describe("InProcessTextRunHost", () => {
  it("runs a workspace's runs one at a time in order, storing every transcript entry before the end", async () => {
    const recorder = new MemoryRecorder();
    const h = host(recorder);
    h.submit(job(1, { id: "11", script: [{ say: "one" }] }));
    h.submit(job(2, { id: "12", script: [{ say: "two" }] }));
    expect(h.pending).toBe(2);
    await recorder.until(2);
    expect(recorder.calls).toEqual(["started 1", "finished 1", "started 2", "finished 2"]);
    expect(recorder.reports.get(1)).toMatchObject({ run_id: "1", scenario_id: "11", passed: true });
    expect(recorder.entries.get(2)?.map((e) => e.content)).toEqual(["two", "You said: two"]);
  });

  it("fails a run whose URL the outbound policy refuses, without connecting", async () => {
    const recorder = new MemoryRecorder();
    host(recorder, async () => "127.0.0.1 is loopback; the policy is public").submit(
      job(5, { id: "1", script: [{ say: "hi" }] }),
    );
    await recorder.until(1);
    expect(recorder.reports.get(5)).toMatchObject({
      status: "failed",
      ended_reason: "connection_failed",
      passed: false,
      error: "the outbound policy refused the agent URL: 127.0.0.1 is loopback; the policy is public",
    });
    expect(recorder.entries.get(5)).toBeUndefined();
  });

  it("ends the running and the queued runs interrupted on stop, each recorded", async () => {
    const recorder = new MemoryRecorder();
    const h = host(recorder);
    h.submit(job(7, { id: "1", script: [{ say: "hi" }] }, "slow:5000"));
    h.submit(job(8, { id: "1", script: [{ say: "hi" }] }));
    await new Promise((r) => setTimeout(r, 200));
    await h.stop("the gateway is shutting down");
    expect(h.pending).toBe(0);
    expect(recorder.reports.get(7)).toMatchObject({
      status: "interrupted",
      error: "the gateway is shutting down",
    });
    expect(recorder.reports.get(8)).toMatchObject({ status: "interrupted", ended_reason: "interrupted" });
  });
  it("cancels a running and a queued run, leaves the others running and answers the ids it held", async () => {
    const recorder = new MemoryRecorder();
    const h = host(recorder);
    h.submit(job(20, { id: "1", script: [{ say: "hi" }] }, "slow:5000"));
    h.submit(job(21, { id: "1", script: [{ say: "hi" }] }));
    h.submit(job(22, { id: "1", script: [{ say: "hi" }] }));
    await new Promise((r) => setTimeout(r, 200));
    expect(await h.cancel([20, 22, 99], "cancelled by the user")).toEqual([20, 22]);
    expect(recorder.reports.get(20)).toMatchObject({ status: "interrupted", error: "cancelled by the user" });
    expect(recorder.reports.get(22)).toMatchObject({ status: "interrupted", ended_reason: "interrupted" });
    await recorder.until(3);
    expect(recorder.reports.get(21)).toMatchObject({ status: "completed", passed: true });
    while (h.pending > 0) await new Promise((r) => setTimeout(r, 5));
    expect(await h.cancel([21], "too late")).toEqual([]);
  });
});
