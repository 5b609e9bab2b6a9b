/**
 * Per-mode call setup times for the examples/voice suites, from the run's stage events (the JSON
 * report of `spar run` carries no stage times). Same setup as voice-modes.media.test.ts: the dev
 * server and the reference bot runner through their bins; each suite loaded as `spar run` loads it
 * and run once in-process with the embedded runner. Prints ms since the room-entry request:
 * room entered, caller joined, agent joined, caller's first line ended, agent first heard.
 *   npx tsx devkit/src/netns/run-in-netns.ts npx tsx test/voice/measure-setup-times.ts
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { loadSuite } from "@spar/cli";
import type { VoiceRunEventBody } from "@spar/protocol";
import { runVoiceScenario } from "@spar/sidecar";
import { startRunnerProcess } from "../../devkit/src/reference-bot-runner/fixtures/runner-process.ts";
import { startDevServerProcess } from "../../sidecar/src/call/dev-server-process.fixture.ts";
import { exampleSuite } from "./voice-run.ts";

const server = await startDevServerProcess();
const credentials = [
  "--livekit-url",
  server.url,
  "--api-key",
  server.apiKey,
  "--api-secret",
  server.apiSecret,
];
const runner = await startRunnerProcess(
  [...credentials, "--port", "0", "--agent-name", "reference-bot"],
  90_000,
);
const recordingsDir = await mkdtemp(join(tmpdir(), "spar-setup-times-"));
const env: Record<string, string> = {
  LIVEKIT_URL: server.url,
  LIVEKIT_API_KEY: server.apiKey,
  LIVEKIT_API_SECRET: server.apiSecret,
  BOT_RUNNER_URL: runner.url,
  TOKEN_ENDPOINT_URL: `${runner.url}/token`,
  AGENT_NAME: "reference-bot",
};

async function measure(mode: string, file: string, extraEnv: Record<string, string> = {}): Promise<void> {
  const suite = await loadSuite(exampleSuite(file), { ...env, ...extraEnv });
  const scenario = suite.scenarios[0];
  if (!scenario) throw new Error(`${file}: no scenario`);
  const events: { at: number; event: VoiceRunEventBody }[] = [];
  const report = await runVoiceScenario(
    { suite, scenario, attempt: 1, runId: `measure-${mode}`, batchId: "measure" },
    { recordingsDir, onEvent: (event) => events.push({ at: performance.now(), event }) },
  );
  const at = (match: (e: VoiceRunEventBody) => boolean) =>
    events.find((e) => match(e.event))?.at ?? Number.NaN;
  const finished = (stage: string) => at((e) => e.type === "stage_finished" && e.stage === stage);
  const t0 = at((e) => e.type === "stage_started" && e.stage === "room_entry");
  // Turn times count from the call's start, which is when the connect stage starts.
  const callStart = at((e) => e.type === "stage_started" && e.stage === "connect");
  const turn = (role: "user" | "agent") => {
    const t = events.map((e) => e.event).find((e) => e.type === "turn" && e.role === role);
    return t?.type === "turn" ? t : undefined;
  };
  const round = (ms: number) => Math.round(ms);
  console.log(
    JSON.stringify({
      mode,
      result: `${report.status}/${report.ended_reason}`,
      roomEnteredMs: round(finished("room_entry") - t0),
      callerJoinedMs: round(finished("connect") - t0),
      agentJoinedMs: round(finished("agent_join") - t0),
      callerLineEndMs: round(callStart - t0 + (turn("user")?.end_ms ?? Number.NaN)),
      agentHeardMs: round(callStart - t0 + (turn("agent")?.start_ms ?? Number.NaN)),
    }),
  );
}

try {
  await measure("client", "client.yaml");
  await measure("rubric-session", "rubric-session.yaml");
  await measure("rubric-dispatch", "rubric-dispatch.yaml");
  await measure("token-endpoint", "token-endpoint.yaml");
  const res = await fetch(`${runner.url}/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ room_name: "manual-demo", participant_name: "rubric-test-caller" }),
  });
  const { token } = (await res.json()) as { token: string };
  await measure("manual", "manual.yaml", { LIVEKIT_CALLER_TOKEN: token });
} finally {
  await runner.stop();
  await server.close();
  await dispose();
}
