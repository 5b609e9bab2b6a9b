/** `GET /v1/runs/{id}/recording[?participant=caller|agent]`: a voice run's WAV. */
import { AppError } from "@spar/protocol";
import type { Hono } from "hono";
import { getRun } from "../../db/repositories/runs.ts";
import { type RecordingParticipant, recordingKey } from "../../voice/recording-store.ts";
import type { AppEnv } from "../app-env.ts";
import { pathId } from "../request-params.ts";
import type { GatewayServices } from "../services.ts";

const PARTICIPANTS: Record<string, RecordingParticipant> = { caller: "caller", agent: "agent" };

export function recordingRoutes(v1: Hono<AppEnv>, services: GatewayServices): void {
  v1.get("/runs/:id/recording", async (c) => {
    const id = pathId(c, "run");
    const asked = c.req.query("participant");
    const participant = asked === undefined ? "stereo" : PARTICIPANTS[asked];
    if (participant === undefined)
      throw new AppError(
        "bad_request",
        `participant: must be caller or agent (absent: the stereo mix), got "${asked}"`,
      );
    const { workspaceId } = c.get("principal");
    const run = await getRun(services.db, workspaceId, id);
    if (run === undefined) throw new AppError("not_found", `run ${id} not found`);
    if (run.channel !== "voice")
      throw new AppError("not_found", `run ${id} is a text run: it has no recording`);
    const stored = await services.voice?.recordings.get(recordingKey(workspaceId, id, participant));
    if (stored === undefined) {
      const why =
        run.status === "queued" || run.status === "running"
          ? "the run has not ended yet"
          : "the call ended before any audio was recorded";
      throw new AppError("not_found", `run ${id} has no ${participant} recording: ${why}`);
    }
    return new Response(stored.body, {
      headers: {
        "content-type": "audio/wav",
        "content-length": String(stored.bytes),
        "content-disposition": `inline; filename="run-${id}-${participant}.wav"`,
      },
    });
  });
}
