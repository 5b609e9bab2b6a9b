/**
 * A real sidecar (the job API, the outbox, HTTP on loopback) whose calls the test drives with
 * the scripted runner: each call emits what the test says and ends with the result it gives,
 * recordings included (small files written here, with their real size and SHA-256).
 */
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { VoiceArtifact, VoiceJob, VoiceResult } from "@spar/protocol";
import { resultFor, ScriptedRunner } from "../../sidecar/src/job-api/scripted-runner.fixture.ts";
import { sidecarConfigFromEnv } from "../../sidecar/src/job-api/sidecar-config.ts";
import { startSidecar } from "../../sidecar/src/job-api/start-sidecar.ts";
import { noopTelemetry } from "../../sidecar/src/telemetry/noop-telemetry.ts";

export const SIDECAR_TOKEN = "contract-sidecar-token-5c1e9a";

export interface ScriptedSidecar {
  url: string;
  runner: ScriptedRunner;
  /** A completed result with three WAV "recordings" (their bytes are `bytes`) as artifacts. */
  resultWithRecording(job: VoiceJob, overrides?: Partial<VoiceResult>): Promise<VoiceResult>;
  close(): Promise<void>;
}

export async function startScriptedSidecar(
  maxCalls = 4,
  runner = new ScriptedRunner(),
): Promise<ScriptedSidecar> {
  const dir = await mkdtemp(join(tmpdir(), "spar-scripted-sidecar-"));
  const sidecar = await startSidecar(
    sidecarConfigFromEnv({
      SPAR_SIDECAR_TOKEN: SIDECAR_TOKEN,
      SPAR_RESULT_TOKEN: SIDECAR_TOKEN,
      SPAR_SIDECAR_PORT: "0",
      SPAR_OUTBOX_URL: `file:${join(dir, "outbox.db")}`,
      SPAR_MAX_CONCURRENT_CALLS: String(maxCalls),
      SPAR_RETRY_AFTER_S: "1",
    }),
    { runner, telemetry: noopTelemetry, log: () => {} },
  );
  return {
    url: sidecar.url,
    runner,
    async resultWithRecording(job, overrides = {}) {
      const files = { stereo: "stereo.wav", user: "caller.wav", agent: "agent.wav" } as const;
      const artifacts: VoiceArtifact[] = [];
      for (const [role, name] of Object.entries(files)) {
        const path = join(dir, `${job.run_id}-${name}`);
        const bytes = Buffer.from(`RIFF fake ${role} audio of run ${job.run_id}`);
        await writeFile(path, bytes);
        artifacts.push({
          part: `recording_${role}`,
          path,
          content_type: "audio/wav",
          bytes: bytes.length,
          sha256: createHash("sha256").update(bytes).digest("hex"),
        });
      }
      const [stereo, user, agent] = artifacts as [VoiceArtifact, VoiceArtifact, VoiceArtifact];
      return resultFor(job, {
        recording: {
          sample_rate_hz: 48_000,
          stereo_path: stereo.path,
          participants: [
            { identity: "rubric-test-caller", role: "user", path: user.path },
            { identity: "agent-1", role: "agent", path: agent.path },
          ],
          duration_ms: 65_000,
        },
        artifacts,
        ...overrides,
      });
    },
    async close() {
      await sidecar.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
