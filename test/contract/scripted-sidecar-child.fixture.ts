/**
 * A sidecar in its own process, for tests that kill it: each call says one caller turn and
 * then never ends (the process is expected to be SIGKILLed mid-call). Prints `listening <url>`.
 */
import type { VoiceJob, VoiceResult, VoiceRunEventBody } from "@spar/protocol";
import { ScriptedRunner } from "../../sidecar/src/job-api/scripted-runner.fixture.ts";
import { startScriptedSidecar } from "./scripted-sidecar.ts";

class EndlessCallRunner extends ScriptedRunner {
  override run(
    job: VoiceJob,
    events: (e: VoiceRunEventBody) => void,
    signal: AbortSignal,
  ): Promise<VoiceResult> {
    events({ type: "stage_started", stage: "conversation" });
    events({
      type: "turn",
      turn_index: 1,
      role: "user",
      content: "hello, is anyone there?",
      start_ms: 500,
      end_ms: 1_700,
    });
    return super.run(job, events, signal);
  }
}

const sidecar = await startScriptedSidecar(4, new EndlessCallRunner());
process.stdout.write(`listening ${sidecar.url}\n`);
