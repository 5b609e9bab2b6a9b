/**
 * A sidecar in its own process, for tests that kill it or cancel its calls: each call says one
 * caller turn and then never ends by itself. A SIGKILL leaves no result; a cancel (its signal
 * aborts) ends the call `interrupted` with that turn and a recording, as the real runner does.
 * Prints `listening <url>`.
 */
import type { VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";
import { ScriptedRunner } from "../../sidecar/src/job-api/scripted-runner.fixture.ts";
import { type ScriptedSidecar, startScriptedSidecar } from "./scripted-sidecar.ts";

const FIRST_TURN = {
  role: "user",
  content: "hello, is anyone there?",
  start_ms: 500,
  end_ms: 1_700,
} as const;
let sidecar: ScriptedSidecar | undefined;

class EndlessCallRunner extends ScriptedRunner {
  override run(
    job: VoiceJob,
    events: (e: VoiceRunEventBody) => void,
    signal: AbortSignal,
  ): Promise<VoiceResult> {
    events({ type: "stage_started", stage: "conversation" });
    events({ type: "turn", turn_index: 1, ...FIRST_TURN });
    const call = super.run(job, events, signal);
    signal.addEventListener(
      "abort",
      () => {
        const found = this.calls.find((c) => c.job.run_id === job.run_id);
        void sidecar
          ?.resultWithRecording(job, {
            status: "interrupted",
            ended_reason: "interrupted",
            error_message: `the call was interrupted (${String(signal.reason)})`,
            transcript: [FIRST_TURN],
            duration_ms: 2_000,
          })
          .then((result) => found?.finish(result));
      },
      { once: true },
    );
    return call;
  }
}

sidecar = await startScriptedSidecar(4, new EndlessCallRunner());
process.stdout.write(`listening ${sidecar.url}\n`);
