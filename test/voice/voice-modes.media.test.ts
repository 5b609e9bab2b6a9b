/**
 * Every example suite in examples/voice/ run AS WRITTEN through the real `spar` bin against the
 * LiveKit dev server and the reference bot runner, both started through their own bins (the
 * commands of the README's "Voice scenarios" section, on free ports and with the namespace's ICE
 * address). One dev server and one runner (HTTP endpoints + a worker named reference-bot) serve
 * every test; automatic dispatch needs a second runner whose worker has no name, started last
 * because it takes every new room. Inside the media network namespace; one short call per test.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunReport } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type RunnerProcess,
  startRunnerProcess,
} from "../../devkit/src/reference-bot-runner/fixtures/runner-process.ts";
import {
  type DevServerProcess,
  startDevServerProcess,
} from "../../sidecar/src/call/dev-server-process.fixture.ts";
import { exampleSuite, sparRunSuite, type VoiceRunResult } from "./voice-run.ts";

let server: DevServerProcess;
let runner: RunnerProcess;
const fileStarted = performance.now();
const timings: Record<string, Record<string, number>> = {};

beforeAll(async () => {
  server = await startDevServerProcess();
  runner = await startRunner(["--agent-name", "reference-bot"]);
}, 120_000);

afterAll(async () => {
  await runner?.stop();
  await server?.close();
  console.log(
    `voice modes through the spar bin: ${JSON.stringify(timings)}; file wall ${Math.round(performance.now() - fileStarted)} ms`,
  );
});

function startRunner(worker: string[]): Promise<RunnerProcess> {
  return startRunnerProcess(
    [
      "--livekit-url",
      server.url,
      "--api-key",
      server.apiKey,
      "--api-secret",
      server.apiSecret,
      "--port",
      "0",
      ...worker,
    ],
    90_000,
  );
}

/** What a user exports before `npx spar run examples/voice/<mode>.yaml`. */
function vars(): Record<string, string> {
  return {
    LIVEKIT_URL: server.url,
    LIVEKIT_API_KEY: server.apiKey,
    LIVEKIT_API_SECRET: server.apiSecret,
    BOT_RUNNER_URL: runner.url,
    TOKEN_ENDPOINT_URL: `${runner.url}/token`,
  };
}

/** Wall time of the bin, and from the report: caller's line start, agent's reply start (ms from the call's start). */
function record(mode: string, result: VoiceRunResult): void {
  const at = (role: "user" | "agent") => result.run?.transcript.find((t) => t.role === role)?.at_ms ?? -1;
  timings[mode] = {
    sparWallMs: result.wallMs,
    callMs: result.run?.duration_ms ?? -1,
    callerSaysAtMs: at("user"),
    agentAnswersAtMs: at("agent"),
  };
}

function expectPassed(result: VoiceRunResult, runOutput: () => string): RunReport {
  const context = `spar stdout:\n${result.stdout}\nspar stderr:\n${result.stderr}\nrunner:\n${runOutput()}`;
  expect(result.code, context).toBe(0);
  const run = result.run;
  expect(run, context).toBeDefined();
  expect(run).toMatchObject({
    channel: "voice",
    status: "completed",
    ended_reason: "caller_ended",
    passed: true,
    error: null,
  });
  expect(run?.transcript.map((t) => t.role)).toEqual(["user", "agent"]);
  expect(run?.transcript[1]?.content).toMatch(/help/i);
  expect(run?.assertions.map((a) => a.passed)).toEqual([true, true]);
  return run as RunReport;
}

describe("examples/voice/*.yaml through the spar bin against the dev server and the reference bot runner", () => {
  it("client.yaml: the runner creates the room and answers the caller's token; the run passes", async () => {
    const result = await sparRunSuite(exampleSuite("client.yaml"), vars());
    const run = expectPassed(result, runner.output);
    expect(run.metadata.room_name).toMatch(/^client-[0-9a-f]{8}$/);
    record("client", result);
  }, 90_000);

  it("rubric-session.yaml: Spar creates the room and POSTs /api/session; the run passes", async () => {
    const result = await sparRunSuite(exampleSuite("rubric-session.yaml"), vars());
    const run = expectPassed(result, runner.output);
    expect(run.metadata.room_name).toMatch(new RegExp(`^rubric-${run.run_id}-[0-9a-f]{8}$`));
    record("rubric-session", result);
  }, 90_000);

  it("rubric-dispatch.yaml with AGENT_NAME: the named worker's job answers; the run passes", async () => {
    const result = await sparRunSuite(exampleSuite("rubric-dispatch.yaml"), {
      ...vars(),
      AGENT_NAME: "reference-bot",
    });
    const run = expectPassed(result, runner.output);
    expect(run.metadata.room_name).toMatch(/^rubric-/);
    record("rubric-dispatch", result);
  }, 90_000);

  it("token-endpoint.yaml: the runner's /token mints the caller's token and names the server; the run passes", async () => {
    const result = await sparRunSuite(exampleSuite("token-endpoint.yaml"), vars());
    expectPassed(result, runner.output);
    record("token-endpoint", result);
  }, 90_000);

  it("manual.yaml: a caller token from the runner's /token for a room the bot is in; the run passes", async () => {
    // The README's curl: the runner puts the bot in the room and mints the caller's token.
    const res = await fetch(`${runner.url}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ room_name: "manual-demo", participant_name: "rubric-test-caller" }),
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    const result = await sparRunSuite(exampleSuite("manual.yaml"), {
      ...vars(),
      LIVEKIT_CALLER_TOKEN: token,
    });
    const run = expectPassed(result, runner.output);
    expect(run.metadata.room_name).toBe("manual-demo");
    record("manual", result);
  }, 90_000);

  // These two run side by side: the agent_never_joined run mostly waits out its 30 s limit.
  it.concurrent("exits 1 when an assertion fails on a call that completed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "spar-voice-fail-"));
    const suite = join(dir, "refund.yaml");
    await writeFile(
      suite,
      `version: 1
agent:
  id: reference-voice-bot
  voice: { livekit: { mode: client, bot_runner_url: "\${BOT_RUNNER_URL}/api/create-and-join" } }
defaults: { channel: voice }
scenarios:
  - id: expects-a-refund
    script:
      - say: "Hello, I am calling about my order."
      - expect: /help/i
        end: true
    assertions:
      - agent_said: /refund/i
`,
    );
    const result = await sparRunSuite(suite, vars());
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.run).toMatchObject({ status: "completed", ended_reason: "caller_ended", passed: false });
    expect(result.run?.assertions).toMatchObject([{ kind: "agent_said", passed: false }]);
  }, 90_000);

  it.concurrent("rubric-dispatch.yaml exits 1 with agent_never_joined when no worker has the agent name", async () => {
    const result = await sparRunSuite(exampleSuite("rubric-dispatch.yaml"), {
      ...vars(),
      AGENT_NAME: "nobody-registered-this",
    });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.run).toMatchObject({
      status: "failed",
      ended_reason: "agent_never_joined",
      passed: false,
      error: "no agent joined the room within 30 s",
    });
    expect(result.stdout).toContain("failed / agent_never_joined");
  }, 90_000);

  it("rubric-dispatch.yaml with an empty AGENT_NAME relies on automatic dispatch; the run passes", async () => {
    const auto = await startRunner(["--auto-dispatch"]);
    try {
      const result = await sparRunSuite(exampleSuite("rubric-dispatch.yaml"), { ...vars(), AGENT_NAME: "" });
      expectPassed(result, auto.output);
      record("rubric-auto-dispatch", result);
    } finally {
      await auto.stop();
    }
  }, 150_000);
});
