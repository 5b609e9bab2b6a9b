/**
 * `spar serve` (the real bin, Node) runs voice test runs on its in-process sidecar: a manual-mode
 * agent (URL + API key/secret + room, so the gateway mints the caller's token) answered by the
 * reference voice bot on the LiveKit dev server, real rtc-node on both sides inside the test
 * network namespace. One test run passes; one whose latency assertion the bot cannot meet fails,
 * and so does its test run. The recording is served as a stereo WAV.
 */
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { type MediaDevServer, startMediaDevServer } from "@spar/devkit/netns";
import { type ReferenceVoiceBot, startReferenceVoiceBot } from "@spar/devkit/reference-voice-bot";
import { decodeWav } from "@spar/sidecar";
import { AccessToken } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSparBin, tempDir } from "./cli-harness.ts";

let server: MediaDevServer;
const bots: ReferenceVoiceBot[] = [];
let dir: string;
let serve: ReturnType<typeof startSparBin> | undefined;
let url = "";
let key = "";

async function botIn(room: string): Promise<void> {
  const token = new AccessToken(server.apiKey, server.apiSecret, {
    identity: "reference-voice-bot",
    ttl: "10m",
  });
  token.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true });
  bots.push(await startReferenceVoiceBot({ url: server.url, token: await token.toJwt(), latencyMs: 700 }));
}

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the test reads answers of several routes' shapes
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

beforeAll(async () => {
  server = await startMediaDevServer();
  dir = await tempDir();
  await botIn("serve-voice-pass");
  await botIn("serve-voice-fail");
  await botIn("serve-voice-cli");
  serve = startSparBin(["serve", "--port", "0", "--data", dir]);
  const deadline = Date.now() + 60_000;
  while (!/listening on (http:\/\/\S+)/.test(serve.stdout())) {
    if (Date.now() > deadline) throw new Error(`spar serve did not start: ${serve.stdout()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = /listening on (http:\/\/\S+)/.exec(serve.stdout())?.[1] ?? "";
  key = /^\s+(\S+)$/m.exec(serve.stdout())?.[1] ?? "";
}, 90_000);

afterAll(async () => {
  serve?.child.kill("SIGTERM");
  await serve?.result;
  for (const bot of bots) await bot.close();
  await server?.close();
  await dispose();
  await rm(dir, { recursive: true, force: true });
});

async function voiceTestRun(room: string, assertion: Record<string, unknown>) {
  const agent = await api("POST", "/v1/agents", {
    name: `bot in ${room}`,
    voice: {
      livekit: {
        mode: "manual",
        url: server.url,
        api_key: server.apiKey,
        api_secret: server.apiSecret,
        room,
      },
      agent_identity: "reference-voice-bot",
    },
  });
  expect(agent.status).toBe(201);
  const scenario = await api("POST", "/v1/scenarios", {
    name: `two turns in ${room}`,
    script: [{ say: "Hello, I am calling about my order." }, { say: "Thank you, goodbye." }],
    assertions: [assertion],
  });
  expect(scenario.status).toBe(201);
  const started = await api("POST", "/v1/test-runs", {
    agent_id: agent.body.id,
    scenario_ids: [scenario.body.id],
    channel: "web",
  });
  expect(started.status).toBe(201);
  const deadline = Date.now() + 90_000;
  let testRun = await api("GET", `/v1/test-runs/${started.body.test_run_id}`);
  while (testRun.body.status !== "done" && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    testRun = await api("GET", `/v1/test-runs/${started.body.test_run_id}`);
  }
  const runs = await api("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`);
  return { testRun: testRun.body, run: runs.body.data[0] };
}

describe("spar serve: voice test runs on the in-process sidecar", () => {
  it("passes a manual-mode voice run against the reference bot and serves its stereo recording", async () => {
    const { testRun, run } = await voiceTestRun("serve-voice-pass", { max_latency_ms: 3000 });
    expect(testRun).toMatchObject({ channel: "voice", status: "done", verdict: "passed", pass_rate: 100 });
    expect(run).toMatchObject({ channel: "voice", status: "completed", passed: true });
    expect(
      run.transcript
        .filter((e: { role: string }) => e.role === "user")
        .map((e: { content: string }) => e.content),
    ).toEqual(["Hello, I am calling about my order.", "Thank you, goodbye."]);
    const latency = run.metrics.latency_ms as { turns: { latency_ms: number }[] };
    expect(latency.turns.length).toBeGreaterThanOrEqual(1);
    for (const t of latency.turns) {
      expect(t.latency_ms).toBeGreaterThan(650);
      expect(t.latency_ms).toBeLessThan(1700);
    }
    const wav = await fetch(run.recording.stereo_url, { headers: { Authorization: `Bearer ${key}` } });
    expect(wav.status).toBe(200);
    const decoded = decodeWav(new Uint8Array(await wav.arrayBuffer()));
    expect(decoded.channels).toBe(2);
    expect(decoded.sampleRate).toBe(run.recording.sample_rate_hz);
    expect(decoded.samples.length / 2 / decoded.sampleRate).toBeGreaterThan(3);
  }, 120_000);

  it("fails the run and its test run when the bot's latency breaks the scenario's assertion", async () => {
    const { testRun, run } = await voiceTestRun("serve-voice-fail", { max_latency_ms: 100 });
    expect(testRun).toMatchObject({ status: "done", verdict: "failed", pass_rate: 0 });
    expect(run).toMatchObject({ status: "completed", passed: false });
    expect(run.assertions).toEqual([expect.objectContaining({ kind: "max_latency_ms", passed: false })]);
  }, 120_000);

  it("runs a voice suite through `spar run --gateway` and reports it as an embedded run would", async () => {
    const suite = join(dir, "voice-suite.json");
    const report = join(dir, "voice-report.json");
    await writeFile(
      suite,
      JSON.stringify({
        version: 1,
        agent: {
          id: "cli-voice-bot",
          voice: {
            livekit: {
              mode: "manual",
              url: server.url,
              api_key: server.apiKey,
              api_secret: server.apiSecret,
              room: "serve-voice-cli",
            },
            agent_identity: "reference-voice-bot",
          },
        },
        defaults: { channel: "voice" },
        scenarios: [
          {
            id: "order-call",
            script: [{ say: "Hello, I am calling about my order." }, { say: "Thank you, goodbye." }],
            assertions: [{ max_latency_ms: 3000 }],
          },
        ],
      }),
    );
    const cli = startSparBin(["run", suite, "--gateway", url, "--api-key", key, "--report-json", report]);
    const result = await cli.result;
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const written = JSON.parse(await readFile(report, "utf8"));
    expect(written.summary).toMatchObject({ total: 1, passed: 1, failed: 0 });
    expect(written.runs[0]).toMatchObject({
      scenario_id: "order-call",
      channel: "voice",
      status: "completed",
      passed: true,
    });
  }, 120_000);
});
