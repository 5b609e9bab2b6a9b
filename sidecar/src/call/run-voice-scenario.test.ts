/**
 * The embedded voice run's room entry without media: every mode's failure is the run's failure
 * with its reason, and bot runners receive the suite's ids.
 */
import { parseSuite, runReportSchema, type VoiceRunEventBody } from "@spar/protocol";
import { afterEach, describe, expect, it } from "vitest";
import {
  json,
  type LoopbackEndpoint,
  startLoopbackEndpoint,
} from "../room-entry/loopback-endpoint.fixture.ts";
import { runVoiceScenario } from "./run-voice-scenario.ts";

let endpoint: LoopbackEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

function voiceRun(livekit: Record<string, unknown>) {
  const parsed = parseSuite({
    version: 1,
    agent: { id: "billing-bot", voice: { livekit } },
    defaults: { channel: "voice" },
    scenarios: [{ id: "pay-bill", name: "Pay a bill", script: [{ say: "Hello." }] }],
  });
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const scenario = parsed.suite.scenarios[0];
  if (!scenario) throw new Error("no scenario");
  return { suite: parsed.suite, scenario, attempt: 1, runId: "run-3", batchId: "b" };
}

describe("runVoiceScenario room entry", () => {
  it("sends the suite's ids to a bot runner and fails the run with the runner's refusal", async () => {
    endpoint = await startLoopbackEndpoint(json({ error: "busy" }, 429));
    const report = runReportSchema.parse(
      await runVoiceScenario(voiceRun({ mode: "client", bot_runner_url: `${endpoint.url}/start` })),
    );
    expect(endpoint.requests[0]?.body).toEqual({
      rubric_run_id: "run-3",
      metadata: { scenario_id: "pay-bill", scenario_name: "Pay a bill", agent_id: "billing-bot" },
    });
    expect(report).toMatchObject({
      status: "failed",
      ended_reason: "bot_runner_error",
      ended_by: "platform",
      passed: false,
      transcript: [],
      error: `the bot runner ${endpoint.url}/start answered HTTP 429: {"error":"busy"}`,
    });
  });

  it('fails token_missing with "No token found in response" when the token endpoint answers none', async () => {
    endpoint = await startLoopbackEndpoint(json({ serverUrl: "ws://127.0.0.1:1" }));
    const events: VoiceRunEventBody[] = [];
    const report = await runVoiceScenario(
      voiceRun({ mode: "token_endpoint", generate_token_endpoint: `${endpoint.url}/token` }),
      { onEvent: (e) => events.push(e) },
    );
    expect(events).toEqual([
      { type: "stage_started", stage: "room_entry" },
      { type: "stage_finished", stage: "room_entry", ok: false, reason: "token_missing" },
    ]);
    expect(report).toMatchObject({ status: "failed", ended_reason: "token_missing", passed: false });
    expect(report.error).toMatch(/^No token found in response/);
  });

  it("reports a run stopped during room entry as interrupted, not as the endpoint's failure", async () => {
    endpoint = await startLoopbackEndpoint(() => new Promise<void>(() => undefined));
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 100);
    const report = runReportSchema.parse(
      await runVoiceScenario(voiceRun({ mode: "client", bot_runner_url: `${endpoint.url}/start` }), {
        signal: stop.signal,
      }),
    );
    expect(report).toMatchObject({ status: "interrupted", ended_reason: "interrupted", passed: false });
  });
});
