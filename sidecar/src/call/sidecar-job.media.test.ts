/**
 * The sidecar as deployed: `main.ts` in its own process with the registered `livekit` runner
 * (SPAR_RUNNER default), a job POSTed to its API, a real call against a tone agent, and the
 * result + WAV artifacts delivered by the outbox to a receiver that checks their sha256.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { dispose } from "@livekit/rtc-node";
import { voiceJobStatusSchema, voiceResultSchema } from "@spar/protocol";
import { AccessToken } from "livekit-server-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ResultReceiver, startResultReceiver } from "../outbox/result-receiver.fixture.ts";
import { type DevServerProcess, startDevServerProcess } from "./dev-server-process.fixture.ts";
import { ToneAgent } from "./tone-agent.fixture.ts";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));
const TOKEN = "sidecar-media-test-token-0123456789";

let server: DevServerProcess;
let receiver: ResultReceiver;
let dir: string;
let sidecar: ChildProcess | undefined;

beforeAll(async () => {
  server = await startDevServerProcess();
  receiver = await startResultReceiver();
  dir = await mkdtemp(join(tmpdir(), "spar-sidecar-job-"));
});

afterAll(async () => {
  if (sidecar && sidecar.exitCode === null) {
    const exited = new Promise((r) => sidecar?.once("exit", r));
    sidecar.kill("SIGTERM");
    await exited;
  }
  await receiver?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
  await dispose();
});

const listening = z.object({ event: z.literal("sidecar_listening"), url: z.string() });

async function startSidecarProcess(): Promise<string> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: {
      PATH: process.env.PATH ?? "",
      SPAR_SIDECAR_TOKEN: TOKEN,
      SPAR_SIDECAR_PORT: "0",
      SPAR_OUTBOX_URL: `file:${join(dir, "outbox.db")}`,
      SPAR_RESULT_URL: receiver.url,
      SPAR_RECORDINGS_DIR: join(dir, "recordings"),
      SPAR_STT: "none",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  sidecar = child;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("sidecar did not listen within 30 s")), 30_000);
    createInterface({ input: child.stdout ?? process.stdin }).on("line", (line) => {
      const parsed = listening.safeParse(JSON.parse(line));
      if (!parsed.success) return;
      clearTimeout(timer);
      resolve(parsed.data.url);
    });
    child.once("exit", (code) => reject(new Error(`sidecar exited early (${code})`)));
  });
}

async function token(identity: string, room: string): Promise<string> {
  const at = new AccessToken(server.apiKey, server.apiSecret, { identity, ttl: "10m" });
  at.addGrant({ roomJoin: true, room });
  return at.toJwt();
}

describe("sidecar job API with the registered livekit runner (real call)", () => {
  it("runs POST /v1/jobs as a real call and delivers the result with its recordings", async () => {
    const url = await startSidecarProcess();
    const room = "job-api-room";
    const agent = await ToneAgent.join({
      url: server.url,
      token: await token("agent", room),
      replyDelayMs: 400,
      replyMs: 600,
    });
    try {
      const headers = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
      const res = await fetch(`${url}/v1/jobs`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          run_id: "run-job-api-1",
          scenario: { id: "greet", name: "greeting" },
          connection: {
            mode: "manual",
            livekit_room_url: server.url,
            access_token: await token("rubric-test-caller", room),
          },
          caller: {
            script: [{ say: "Good morning." }, { expect: "reply 1" }, { end: true }],
            greeting_wait_ms: 300,
          },
          max_duration_s: 60,
          turn_timeout_ms: 5_000,
        }),
      });
      expect(res.status).toBe(201);
      let status = voiceJobStatusSchema.parse(await res.json());
      // A short call: ~1 s connect + ~1 s speech + reply + endpointing; 40 s is generous.
      for (let i = 0; i < 400 && status.status === "running"; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = voiceJobStatusSchema.parse(
          await (await fetch(`${url}/v1/jobs/run-job-api-1`, { headers })).json(),
        );
      }
      expect(status.result).toMatchObject({ status: "completed", ended_reason: "caller_ended" });
      expect(status.result?.transcript.map((t) => [t.role, t.content])).toEqual([
        ["user", "Good morning."],
        ["agent", "reply 1"],
      ]);
      expect(status.result?.metrics?.latency_ms?.turns).toHaveLength(1);
      for (let i = 0; i < 200 && receiver.deliveries.size === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      const delivery = receiver.deliveries.get("voice-result:run-job-api-1");
      const delivered = voiceResultSchema.parse(JSON.parse(delivery?.payload ?? "null"));
      expect(delivered.artifacts).toHaveLength(3);
      for (const a of delivered.artifacts) expect(delivery?.files[a.part]).toBe(a.sha256);
    } finally {
      await agent.close();
    }
  });
});
