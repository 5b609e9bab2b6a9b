/** Ctrl-C through the real bin: the runs end interrupted, the reports are written, exit 130. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ReferenceTextAgent, startReferenceTextAgent } from "@spar/devkit/reference-text-agent";
import { suiteReportSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSparBin, tempDir, writeSuite } from "./cli-harness.ts";

const SECRET = "interrupt-secret";
let agent: ReferenceTextAgent;
let dir: string;
beforeAll(async () => {
  agent = await startReferenceTextAgent({ port: 0, secret: SECRET });
  dir = await tempDir();
});
afterAll(async () => {
  await agent.close();
});

// Three runs one at a time against an agent that takes 20 s per reply: Ctrl-C lands in the first.
const SLOW_SUITE = `version: 1
agent:
  id: echo-bot
  text:
    url: \${AGENT_URL}
    secret: \${AGENT_SECRET}
    per_turn_timeout_s: 60
scenarios:
  - id: slow
    repeat: 3
    metadata: { X-Spar-Behavior: "slow:20000" }
    script: [{ say: hello }]
`;

async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("spar run on Ctrl-C", () => {
  it("exits 130 with the running run and the never-started ones reported interrupted", async () => {
    const path = await writeSuite(dir, "slow.yaml", SLOW_SUITE);
    const json = join(dir, "report.json");
    const junit = join(dir, "junit.xml");
    const spar = startSparBin(["run", path, "--concurrency", "1", "--report-json", json, "--junit", junit], {
      AGENT_URL: `${agent.url}/echo`,
      AGENT_SECRET: SECRET,
    });
    await until(() => agent.connections === 1);
    const sentAt = performance.now();
    spar.child.kill("SIGINT");
    const r = await spar.result;
    const exitMs = performance.now() - sentAt;

    expect(r.code).toBe(130);
    expect(exitMs).toBeLessThan(5_000);
    expect(r.stderr).toBe(
      "\nspar: interrupted; ending the running sessions and writing the reports (Ctrl-C again to exit now)\n",
    );
    expect(r.stdout).toMatch(/^INTERRUPTED slow#1 \(\d+ ms\)\n/);
    expect(r.stdout).not.toContain("slow#2");
    expect(r.stdout).toContain("0/3 runs passed (0%), 3 interrupted, 0 of 1 scenario failed");

    const report = suiteReportSchema.parse(JSON.parse(await readFile(json, "utf8")));
    expect(report.summary).toEqual({ total: 3, passed: 0, failed: 0, interrupted: 3, pass_rate: 0 });
    expect(
      report.runs.map((run) => [run.attempt, run.status, run.ended_reason, run.ended_by, run.passed]),
    ).toEqual([
      [1, "interrupted", "interrupted", "platform", false],
      [2, "interrupted", "interrupted", "platform", false],
      [3, "interrupted", "interrupted", "platform", false],
    ]);
    // The one run that started had sent its line; the agent's reply was 20 s away.
    expect(report.runs[0]?.transcript.map((e) => e.role)).toEqual(["user"]);
    expect(report.runs[0]?.error).toBe("interrupted (Ctrl-C)");
    expect(report.runs[1]?.error).toBe("interrupted before it started");
    const xml = await readFile(junit, "utf8");
    expect(xml).toContain('tests="3" failures="0" errors="0" skipped="3"');
    expect(xml.match(/<skipped message="interrupted"\/>/g)).toHaveLength(3);
  });
});
