/**
 * `POST /internal/voice-results`: where sidecars' outboxes deliver voice results, with the
 * sidecar token as `Authorization: Bearer`. Any 2xx acknowledges a delivery (a repeated one
 * too); a 4xx tells the outbox the delivery is wrong and stays wrong.
 */
import { AppError } from "@spar/protocol";
import type { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { secretsEqual } from "../../security/constant-time.ts";
import { takeVoiceResult } from "../../voice/voice-result-intake.ts";
import type { AppEnv } from "../app-env.ts";
import type { GatewayServices } from "../services.ts";

/** A result with its WAVs: an hour of 48 kHz 16-bit stereo plus both tracks is ~700 MB; calls are far shorter. */
export const MAX_VOICE_RESULT_BYTES = 256 * 1024 * 1024;

export function voiceResultRoutes(internal: Hono<AppEnv>, services: GatewayServices): void {
  internal.post(
    "/voice-results",
    async (c, next) => {
      const token = services.voice?.sidecarToken;
      if (services.voice === undefined || token === undefined)
        throw new AppError("not_found", "this gateway takes no voice results");
      const header = c.req.header("authorization") ?? "";
      const presented = header.startsWith("Bearer ") ? header.slice("Bearer ".length) : "";
      if (presented === "" || !(await secretsEqual(presented, token)))
        throw new AppError("unauthorized", "missing or wrong sidecar token (Authorization: Bearer)");
      await next();
    },
    bodyLimit({
      maxSize: MAX_VOICE_RESULT_BYTES,
      onError: () => {
        throw new AppError(
          "payload_too_large",
          `a voice result may be at most ${MAX_VOICE_RESULT_BYTES} bytes`,
        );
      },
    }),
    async (c) => {
      const voice = services.voice;
      if (voice === undefined) throw new AppError("not_found", "this gateway takes no voice results");
      const type = c.req.header("content-type") ?? "";
      if (!type.startsWith("multipart/form-data"))
        throw new AppError("bad_request", "Content-Type: a voice result is multipart/form-data");
      let form: FormData;
      try {
        form = await c.req.raw.formData();
      } catch {
        throw new AppError("bad_request", "body: the multipart body does not parse");
      }
      const receivedAt = performance.now();
      const outcome = await takeVoiceResult(voice.results, form, c.req.header("idempotency-key"));
      if (outcome.settled === "now") voice.onSettled?.(outcome.runId, performance.now() - receivedAt);
      return c.json({ run_id: outcome.runId, settled: outcome.settled });
    },
  );
}
