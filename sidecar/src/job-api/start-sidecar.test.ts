import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { voiceJobStatusSchema } from "@spar/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ResultReceiver, startResultReceiver } from "../outbox/result-receiver.fixture.ts";
import { noopTelemetry } from "../telemetry/noop-telemetry.ts";
import { resultFor, ScriptedRunner } from "./scripted-runner.fixture.ts";
import { sidecarConfigFromEnv } from "./sidecar-config.ts";
import { startSidecar } from "./start-sidecar.ts";

const TOKEN = "0123456789abcdef-test";
let dir: string;
let receiver: ResultReceiver;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-sidecar-"));
  receiver = await startResultReceiver({ failFirst: 100 });
});

afterEach(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

describe("startSidecar", () => {
  it("commits a call ended by shutdown and resumes its delivery after a restart on the same file", async () => {
    const config = sidecarConfigFromEnv({
      SPAR_SIDECAR_TOKEN: TOKEN,
      SPAR_SIDECAR_PORT: "0",
      SPAR_OUTBOX_URL: `file:${join(dir, "nested", "outbox.db")}`,
      SPAR_RESULT_URL: receiver.url,
    });
    const runner = new ScriptedRunner();
    const log = () => {};
    const first = await startSidecar(config, { runner, telemetry: noopTelemetry, log });
    const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    const res = await fetch(`${first.url}/v1/jobs`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        run_id: "run-s",
        scenario: { id: "scn", name: "n" },
        connection: { mode: "client", bot_runner_url: "http://127.0.0.1:1/start" },
        caller: {},
        max_duration_s: 60,
      }),
    });
    expect(res.status).toBe(201);
    const call = await runner.call("run-s");
    // A well-behaved runner ends the call when told to and reports it.
    call.signal.addEventListener("abort", () =>
      call.finish(resultFor(call.job, { status: "failed", ended_reason: "internal_error" })),
    );
    await first.close();
    expect(call.signal.aborted).toBe(true);
    // The receiver refused everything so far: the delivery is still pending in the file.
    const seenBeforeRestart = receiver.attempts.length;

    const healthy = await startResultReceiver();
    const second = await startSidecar(
      { ...config, SPAR_RESULT_URL: healthy.url },
      { runner: new ScriptedRunner(), telemetry: noopTelemetry, log },
    );
    try {
      const status = voiceJobStatusSchema.parse(
        await (await fetch(`${second.url}/v1/jobs/run-s`, { headers })).json(),
      );
      expect(status.result).toMatchObject({ run_id: "run-s", status: "failed" });
      // The row keeps the URL it was enqueued with: the restart retries the original receiver.
      for (let i = 0; i < 200 && receiver.attempts.length === seenBeforeRestart; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(receiver.attempts.length).toBeGreaterThan(seenBeforeRestart);
      expect(healthy.attempts).toEqual([]);
    } finally {
      await second.close();
      await healthy.close();
    }
  });
});
