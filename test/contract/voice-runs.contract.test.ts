/**
 * The gateway contract, voice: test runs on channel `web` go to a real sidecar (its job API and
 * outbox on loopback; its calls driven by the scripted runner), stream their transcript live
 * (Node follows it in the gateway's process, Workers in a Durable Object per run),
 * come back as sha256-checked multipart results, and settle — a failed call or a failed
 * assertion fails the run and the test run; missing LiveKit credentials fail it before any job;
 * a repeated delivery changes nothing; recordings are served to their workspace only.
 */
import { readFile } from "node:fs/promises";
import { endedRunViewSchema } from "@spar/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ContractClient,
  contractClient,
  createWorkspace,
  expectError,
  pollUntil,
  readEvents,
} from "./contract-client.ts";
import { type RunningTarget, TARGETS } from "./gateway-targets.ts";
import { type ScriptedSidecar, SIDECAR_TOKEN, startScriptedSidecar } from "./scripted-sidecar.ts";

const ADMIN_TOKEN = "voice-contract-admin-token-77f2";

describe.each(TARGETS)("gateway contract on $name: voice runs", (target) => {
  let gw: RunningTarget;
  let sidecar: ScriptedSidecar;
  let client: ContractClient;
  let agentId: number;
  let booking: number;
  let refund: number;
  const call: ContractClient["call"] = (...args) => client.call(...args);
  /** One voice run of `scenarioId` on channel web: its test run's id and the run's. */
  const startVoiceRun = async (scenarioId: number) => {
    const started = await call("POST", "/v1/test-runs", {
      agent_id: agentId,
      scenario_ids: [scenarioId],
      channel: "web",
    });
    expect(started.status).toBe(201);
    const testRunId: number = started.body.test_run_id;
    const runId: number = (await call("GET", `/v1/runs?test_run_id=${testRunId}`)).body.data[0].id;
    return { testRunId, runId };
  };

  beforeAll(async () => {
    sidecar = await startScriptedSidecar();
    gw = await target.start({
      SPAR_SIDECARS: sidecar.url,
      SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN,
      SPAR_ADMIN_TOKEN: ADMIN_TOKEN,
    });
    client = contractClient(gw);
    const agent = await call("POST", "/v1/agents", {
      name: "Voice bot",
      voice: { livekit: { mode: "manual", url: "ws://127.0.0.1:7880", token: "caller-token-for-the-room" } },
    });
    expect(agent.status).toBe(201);
    agentId = agent.body.id;
    const script = [{ say: "hi, I'd like to book a table" }, { expect: "/how many/" }];
    const a = await call("POST", "/v1/scenarios", {
      name: "Booking",
      script,
      assertions: [{ agent_said: "/how many/" }],
    });
    const b = await call("POST", "/v1/scenarios", {
      name: "Refund",
      script,
      assertions: [{ agent_said: "/refund/" }],
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    booking = a.body.id;
    refund = b.body.id;
  });

  afterAll(async () => {
    await gw?.close();
    await sidecar?.close();
  });

  it("passes a voice run whose call completes and whose assertions hold", async () => {
    const { testRunId, runId } = await startVoiceRun(booking);
    const job = await sidecar.runner.call(String(runId));
    expect(job.job).toMatchObject({
      run_id: String(runId),
      scenario: { id: String(booking), name: "Booking" },
      agent_id: String(agentId),
      connection: {
        mode: "manual",
        livekit_room_url: "ws://127.0.0.1:7880",
        access_token: "caller-token-for-the-room",
      },
      caller: { script: [{ say: "hi, I'd like to book a table" }, { expect: "/how many/" }] },
      max_duration_s: 600,
    });
    expect(job.job.result_url).toMatch(/\/internal\/voice-results$/);
    job.finish(await sidecar.resultWithRecording(job.job));

    const run = await pollUntil(
      () => call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status !== "running",
    );
    expect(run.body).toMatchObject({
      status: "completed",
      ended_reason: "agent_ended",
      ended_by: "agent",
      passed: true,
      channel: "voice",
      duration_ms: 65_000,
      error: null,
      recording: {
        stereo_url: `${gw.baseUrl}/v1/runs/${runId}/recording`,
        participants: {
          caller: {
            identity: "rubric-test-caller",
            url: `${gw.baseUrl}/v1/runs/${runId}/recording?participant=caller`,
          },
          agent: { identity: "agent-1", url: `${gw.baseUrl}/v1/runs/${runId}/recording?participant=agent` },
        },
        sample_rate_hz: 48_000,
      },
    });
    expect(run.body.assertions).toEqual([{ kind: "agent_said", passed: true, detail: expect.any(String) }]);
    // The same run object the API documents, recording included.
    expect(endedRunViewSchema.parse(run.body).recording?.sample_rate_hz).toBe(48_000);
    const testRun = await pollUntil(
      () => call("GET", `/v1/test-runs/${testRunId}`),
      (r) => r.body.status === "done",
    );
    expect(testRun.body).toMatchObject({ channel: "voice", verdict: "passed", pass_rate: 100 });

    const wav = await fetch(`${gw.baseUrl}/v1/runs/${runId}/recording?participant=agent`, {
      headers: { "X-API-Key": gw.apiKey },
    });
    expect(wav.status).toBe(200);
    expect(wav.headers.get("content-type")).toBe("audio/wav");
    expect(await wav.text()).toBe(`RIFF fake agent audio of run ${runId}`);
  });

  it("streams a voice run's transcript live from the sidecar's events", async () => {
    const { runId } = await startVoiceRun(booking);
    const job = await sidecar.runner.call(String(runId));
    job.emit({ type: "stage_started", stage: "conversation" });
    job.emit({
      type: "turn",
      turn_index: 1,
      role: "user",
      content: "hi, I'd like to book a table",
      start_ms: 1_000,
      end_ms: 2_500,
    });
    await pollUntil(
      () => call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status === "running",
    );
    const stream = await fetch(`${gw.baseUrl}/v1/runs/${runId}/events`, {
      headers: { "X-API-Key": gw.apiKey },
    });
    expect(JSON.parse(await firstEventOfType(stream, "transcript"))).toEqual({
      role: "user",
      content: "hi, I'd like to book a table",
      at_ms: 1_000,
      start_ms: 1_000,
      end_ms: 2_500,
    });
    expect((await call("GET", `/v1/runs/${runId}`)).body.status).toBe("running");
    job.finish(await sidecar.resultWithRecording(job.job));
    const events = await readEvents(gw, client, runId);
    expect(events.map((e) => e.event)).toEqual(["status", "transcript", "ended"]);
  });

  it(`fails the run and the test run when an assertion fails`, async () => {
    const { testRunId, runId } = await startVoiceRun(refund);
    const job = await sidecar.runner.call(String(runId));
    job.finish(await sidecar.resultWithRecording(job.job));
    const testRun = await pollUntil(
      () => call("GET", `/v1/test-runs/${testRunId}`),
      (r) => r.body.status === "done",
    );
    expect(testRun.body).toMatchObject({ verdict: "failed", pass_rate: 0, runs: { total: 1, passed: 0 } });
    const run = await call("GET", `/v1/runs/${runId}`);
    expect(run.body).toMatchObject({ status: "completed", passed: false });
    expect(run.body.error).toMatch(/agent_said/);
  });

  it(`fails the run when the call failed, whatever its assertions say`, async () => {
    const { testRunId, runId } = await startVoiceRun(booking);
    const job = await sidecar.runner.call(String(runId));
    job.finish(
      await sidecar.resultWithRecording(job.job, {
        status: "failed",
        ended_reason: "agent_timeout",
        error_message: "no agent audio within 30 s of the caller's turn",
      }),
    );
    const testRun = await pollUntil(
      () => call("GET", `/v1/test-runs/${testRunId}`),
      (r) => r.body.status === "done",
    );
    expect(testRun.body.verdict).toBe("failed");
    expect(testRun.body.failed_runs).toEqual([
      {
        run_id: runId,
        scenario_id: booking,
        scenario_name: "Booking",
        reason: "agent_timeout: no agent audio within 30 s of the caller's turn",
      },
    ]);
  });

  it(`ends a run credentials_missing before any job when neither the agent nor the workspace has LiveKit credentials`, async () => {
    const agent = await call("POST", "/v1/agents", {
      name: "Dispatch bot",
      voice: { livekit: { mode: "rubric", agent_name: "booking-agent" } },
    });
    const calls = sidecar.runner.calls.length;
    const started = await call("POST", "/v1/test-runs", {
      agent_id: agent.body.id,
      scenario_ids: [booking],
    });
    expect(started.status).toBe(201);
    const testRun = await pollUntil(
      () => call("GET", `/v1/test-runs/${started.body.test_run_id}`),
      (r) => r.body.status === "done",
    );
    expect(testRun.body).toMatchObject({
      channel: "voice",
      verdict: "failed",
      runs: { total: 1, failed: 1 },
    });
    expect(testRun.body.failed_runs[0].reason).toMatch(/^credentials_missing: .*PUT \/v1\/settings\/livekit/);
    expect(sidecar.runner.calls.length).toBe(calls);
  });

  it(`acknowledges a repeated result delivery and changes nothing; refuses a wrong sidecar token`, async () => {
    const { runId } = await startVoiceRun(booking);
    const job = await sidecar.runner.call(String(runId));
    const result = await sidecar.resultWithRecording(job.job);
    job.finish(result);
    const settled = await pollUntil(
      () => call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status !== "running",
    );
    const eventsBefore = await readEvents(gw, client, runId);

    const form = async (r: typeof result) => {
      const body = new FormData();
      body.append("result", new Blob([JSON.stringify(r)], { type: "application/json" }));
      for (const a of r.artifacts) body.append(a.part, new Blob([await readFile(a.path)]), a.part);
      return body;
    };
    const post = async (token: string, r: typeof result) =>
      fetch(`${gw.baseUrl}/internal/voice-results`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "idempotency-key": `voice-result:${r.run_id}` },
        body: await form(r),
      });
    const failedAgain = { ...result, status: "failed" as const, ended_reason: "agent_timeout" as const };
    const again = await post(SIDECAR_TOKEN, failedAgain);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ run_id: runId, settled: "before" });
    expect((await call("GET", `/v1/runs/${runId}`)).body).toEqual(settled.body);
    expect(await readEvents(gw, client, runId)).toEqual(eventsBefore);

    const wrong = await post("not-the-sidecar-token-at-all", result);
    expect(wrong.status).toBe(401);

    // A recording that does not match its digest settles nothing: the run stays running.
    const next = await call("POST", "/v1/test-runs", {
      agent_id: agentId,
      scenario_ids: [booking],
      channel: "web",
    });
    const nextRunId: number = (await call("GET", `/v1/runs?test_run_id=${next.body.test_run_id}`)).body
      .data[0].id;
    const nextJob = await sidecar.runner.call(String(nextRunId));
    const nextResult = await sidecar.resultWithRecording(nextJob.job);
    const tampered = {
      ...nextResult,
      artifacts: nextResult.artifacts.map((a) => ({ ...a, sha256: "0".repeat(64) })),
    };
    const bad = await post(SIDECAR_TOKEN, tampered);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      "recording_stereo: its SHA-256 does not match the result's",
    );
    expect((await call("GET", `/v1/runs/${nextRunId}`)).body.status).toBe("running");
    nextJob.finish(nextResult);
    await pollUntil(
      () => call("GET", `/v1/runs/${nextRunId}`),
      (r) => r.body.status !== "running",
    );
  });

  it(`answers 404 for another workspace's recording and for a run without one`, async () => {
    const { runId } = await startVoiceRun(booking);
    const job = await sidecar.runner.call(String(runId));
    const early = await call("GET", `/v1/runs/${runId}/recording`);
    expectError(early, 404, "not_found", `run ${runId} has no stereo recording: the run has not ended yet`);
    job.finish(await sidecar.resultWithRecording(job.job));
    await pollUntil(
      () => call("GET", `/v1/runs/${runId}`),
      (r) => r.body.status !== "running",
    );
    const other = await createWorkspace(gw, ADMIN_TOKEN, "other");
    const foreign = await call("GET", `/v1/runs/${runId}/recording`, undefined, { key: other.api_key });
    expectError(foreign, 404, "not_found", `run ${runId} not found`);
    const wrongParticipant = await call("GET", `/v1/runs/${runId}/recording?participant=judge`);
    expectError(wrongParticipant, 400, "bad_request", /^participant: must be caller or agent/);
  });
});

/** Reads a live event stream until the first event of `type`; answers its data and closes it. */
async function firstEventOfType(res: Response, type: string): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream ended before a ${type} event`);
    text += decoder.decode(value, { stream: true });
    // Only whole events: the text after the last blank line may be the start of one cut mid-data
    // (workerd delivered an event split across two chunks: "Unterminated string in JSON").
    for (const block of text.split("\n\n").slice(0, -1)) {
      const lines = block.split("\n");
      if (!lines.includes(`event: ${type}`)) continue;
      await reader.cancel();
      return lines
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).trim())
        .join("\n");
    }
  }
}
