/**
 * A cancel's voice part: the sidecar holding each running call is told to stop it
 * (`DELETE /v1/jobs/{id}`), and the cancel waits — up to the platform's `cancelWaitMs` — for
 * the `interrupted` results those calls end with, so the runs keep what was said and recorded.
 * Whatever is still in flight afterwards (a sidecar that did not answer, a result that did not
 * come in time) is left to the caller to end.
 */
import type { SparDatabase } from "../db/database.ts";
import { getRun, type RunRecord } from "../db/repositories/runs.ts";
import { isFinished } from "../runs/run-views.ts";
import type { VoicePlatform } from "./voice-platform.ts";

const POLL_MS = 50;

export async function stopVoiceRuns(
  voice: VoicePlatform | undefined,
  db: SparDatabase,
  runs: readonly RunRecord[],
  now: () => number,
): Promise<void> {
  const voiceRuns = runs.filter((r) => r.channel === "voice" && r.status === "running");
  if (voice === undefined || voiceRuns.length === 0) return;
  const stopping = new Set(await voice.cancel(voiceRuns.map((r) => r.id)));
  let waiting = voiceRuns.filter((r) => stopping.has(r.id));
  const until = now() + voice.cancelWaitMs;
  while (waiting.length > 0 && now() < until) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const still: RunRecord[] = [];
    for (const run of waiting) {
      const current = await getRun(db, run.workspaceId, run.id);
      if (current !== undefined && !isFinished(current)) still.push(run);
    }
    waiting = still;
  }
}
