/**
 * A sidecar's result delivery (protocol/src/voice-job.ts: multipart, `result` JSON part plus one
 * file part per artifact, `Idempotency-Key: voice-result:<run_id>`), checked and settled:
 * every artifact's size and SHA-256 verified, the recordings stored, the scenario's assertions
 * and the agent's metrics evaluated, the run ended (its `ended` event, webhooks, its test run's
 * settling). Idempotent by run id: a repeated delivery of a settled run changes nothing.
 */
import {
  AppError,
  type RunRecordingView,
  type VoiceArtifact,
  type VoiceResult,
  voiceResultIdempotencyKey,
  voiceResultSchema,
} from "@spar/protocol";
import { getRun } from "../db/repositories/runs.ts";
import { getVoiceJob } from "../db/repositories/voice-jobs.ts";
import type { JsonObject } from "../db/schema.ts";
import { openField } from "../db/sealed-fields.ts";
import { endRun, type SettlementDeps } from "../runs/run-settlement.ts";
import { isFinished } from "../runs/run-views.ts";
import type { SecretBox } from "../security/secret-box.ts";
import { type RecordingParticipant, type RecordingStore, recordingKey } from "./recording-store.ts";
import { voiceRunEnding } from "./voice-run-ending.ts";
import { decodePlan } from "./voice-run-plan.ts";

export interface VoiceResultDeps {
  secrets: SecretBox;
  settlement: SettlementDeps;
  recordings: RecordingStore;
  /** Stores the run's waiting live events, so none follows its `ended`. */
  flushEvents?: () => Promise<void>;
  /** For judges (assertions and metrics that call the LLM). */
  fetch?: typeof fetch;
}

export type IntakeOutcome = { runId: number; settled: "now" | "before" };

export async function takeVoiceResult(
  deps: VoiceResultDeps,
  form: FormData,
  idempotencyKey: string | undefined,
): Promise<IntakeOutcome> {
  const result = await resultPart(form);
  if (idempotencyKey !== undefined && idempotencyKey !== voiceResultIdempotencyKey(result.run_id)) {
    throw new AppError(
      "bad_request",
      `Idempotency-Key: must be ${voiceResultIdempotencyKey(result.run_id)} for this result`,
    );
  }
  const runId = /^[1-9][0-9]{0,15}$/.test(result.run_id) ? Number(result.run_id) : undefined;
  const job = runId === undefined ? undefined : await getVoiceJob(deps.settlement.db, runId);
  if (runId === undefined || job === undefined)
    throw new AppError("not_found", `result.run_id: no voice run ${result.run_id}`);
  const run = await getRun(deps.settlement.db, job.workspaceId, runId);
  if (run === undefined) throw new AppError("not_found", `result.run_id: no voice run ${result.run_id}`);
  if (isFinished(run)) return { runId, settled: "before" };

  const files = await verifiedArtifacts(form, result.artifacts);
  const recording = await storeRecordings(deps, job.workspaceId, runId, result, files);
  const plan = decodePlan(
    await openField(deps.secrets, job.workspaceId, "voice.plan", {
      ciphertext: job.planCiphertext,
      keyId: job.planKeyId,
    }),
  );
  const ending = await voiceRunEnding(
    plan,
    result,
    recording,
    deps.settlement.now(),
    deps.fetch ? { fetch: deps.fetch } : {},
  );
  await deps.flushEvents?.();
  const stored = await endRun(deps.settlement, job.workspaceId, runId, ending);
  return { runId, settled: stored === undefined ? "before" : "now" };
}

async function resultPart(form: FormData): Promise<VoiceResult> {
  const part = form.get("result");
  if (part === null) throw new AppError("bad_request", "result: the multipart body has no `result` part");
  const text = typeof part === "string" ? part : await part.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "result: the `result` part is not JSON");
  }
  const parsed = voiceResultSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError(
      "bad_request",
      `result.${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`,
    );
  }
  return parsed.data;
}

async function verifiedArtifacts(
  form: FormData,
  artifacts: readonly VoiceArtifact[],
): Promise<Map<string, { artifact: VoiceArtifact; bytes: Uint8Array }>> {
  const files = new Map<string, { artifact: VoiceArtifact; bytes: Uint8Array }>();
  for (const artifact of artifacts) {
    const part = form.get(artifact.part);
    if (part === null || typeof part === "string")
      throw new AppError("bad_request", `${artifact.part}: the artifact's file part is missing`);
    const bytes = new Uint8Array(await part.arrayBuffer());
    if (bytes.byteLength !== artifact.bytes)
      throw new AppError(
        "bad_request",
        `${artifact.part}: ${bytes.byteLength} bytes arrived, the result says ${artifact.bytes}`,
      );
    const digest = await crypto.subtle.digest("SHA-256", bytes);
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    if (hex !== artifact.sha256)
      throw new AppError("bad_request", `${artifact.part}: its SHA-256 does not match the result's`);
    files.set(artifact.path, { artifact, bytes });
  }
  return files;
}

/** Each WAV under its participant; the run's `recording` names the URLs that serve them. */
async function storeRecordings(
  deps: VoiceResultDeps,
  workspaceId: number,
  runId: number,
  result: VoiceResult,
  files: Map<string, { artifact: VoiceArtifact; bytes: Uint8Array }>,
): Promise<JsonObject | null> {
  const rec = result.recording;
  if (rec === null) return null;
  const roles: [string, RecordingParticipant][] = [
    [rec.stereo_path, "stereo"],
    ...rec.participants.map((p): [string, RecordingParticipant] => [
      p.path,
      p.role === "user" ? "caller" : "agent",
    ]),
  ];
  const base = `${deps.settlement.publicUrl}/v1/runs/${runId}/recording`;
  const participants: RunRecordingView["participants"] = {};
  let stereo = false;
  for (const [path, participant] of roles) {
    const file = files.get(path);
    if (file === undefined) continue;
    await deps.recordings.put(
      recordingKey(workspaceId, runId, participant),
      file.bytes,
      file.artifact.content_type,
    );
    if (participant === "stereo") stereo = true;
    else {
      const identity = rec.participants.find((p) => p.path === path)?.identity ?? participant;
      participants[participant] = { identity, url: `${base}?participant=${participant}` };
    }
  }
  const view: RunRecordingView = {
    stereo_url: stereo ? base : null,
    participants,
    sample_rate_hz: rec.sample_rate_hz,
    duration_ms: rec.duration_ms,
  };
  return view;
}
