/**
 * What a failed accuracy check leaves behind: the intervals that decide the interruption and
 * turn counts (caller lines, the oracle's agent speech, the sidecar's agent turns and both
 * interruption lists) in the failure message, and the call's recordings with those numbers in a
 * directory that outlives the test's temporary one. A rare miscount (one call in tens) can then be
 * replayed offline instead of waited for.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { BOT_SAMPLE_RATE } from "@spar/devkit/reference-voice-bot";
import type { InterruptionsMetric } from "@spar/protocol";
import { encodeWav } from "@spar/sidecar";
import { expect } from "vitest";
import type { CallMeasurement } from "./accuracy-call.ts";
import { summarize } from "./accuracy-summary.ts";

/** Where evidence goes (outside the test's own temporary directory, which is removed). */
export const EVIDENCE_ROOT = join(tmpdir(), "spar-voice-accuracy-evidence");

const spans = (xs: readonly { startMs: number; endMs: number }[]) =>
  xs.map((x) => `${x.startMs.toFixed(0)}–${x.endMs.toFixed(0)}`).join(" ");

const interruptions = (m: InterruptionsMetric) =>
  m.interruptions
    .map((i) => `${(i.at_second * 1000).toFixed(0)} ms for ${i.duration_ms.toFixed(0)}`)
    .join("; ") || "none";

/** The intervals behind the interruption and turn counts, one line each, ms since the call started. */
export function detectionEvidence(call: CallMeasurement): string {
  const agentTurns = call.result.transcript
    .filter((t) => t.role === "agent")
    .map((t) => ({ startMs: t.start_ms, endMs: t.end_ms }));
  return [
    `caller lines: ${spans(call.caller)}`,
    `agent speech, ${call.oracleKind} oracle: ${spans(call.oracle)}`,
    `agent turns, sidecar: ${spans(agentTurns)}`,
    `user interruptions: sidecar ${interruptions(call.sidecar.user_interruptions)} | oracle ${interruptions(call.oracleMetrics.user_interruptions)}`,
    `AI interruptions: sidecar ${interruptions(call.sidecar.ai_interruptions)} | oracle ${interruptions(call.oracleMetrics.ai_interruptions)}`,
  ].join("\n");
}

/** Copies the call's WAVs and a JSON of its result, oracle and truth; returns the directory. */
export async function keepEvidence(call: CallMeasurement): Promise<string> {
  const dir = join(EVIDENCE_ROOT, `${call.scenario}-${new Date().toISOString().replace(/[:.]/g, "-")}`);
  await mkdir(dir, { recursive: true });
  const recording = call.result.recording;
  const files = recording ? [recording.stereo_path, ...recording.participants.map((p) => p.path)] : [];
  for (const f of files) await copyFile(f, join(dir, basename(f)));
  const { sentAudio, ...rest } = call;
  await writeFile(join(dir, "call.json"), `${JSON.stringify(rest, null, 2)}\n`);
  // What the bot sent, sample for sample: the alignment oracle's other input.
  await writeFile(
    join(dir, "bot.sent.wav"),
    encodeWav({ sampleRate: BOT_SAMPLE_RATE, channels: 1, samples: sentAudio }),
  );
  return dir;
}

/**
 * Lowest normalized correlation at which an aligned utterance counts as found (1 = identical up to
 * gain). Pink 20 dB calls read 0.808–0.832 at their lowest utterance (10 calls, 2026-12-05); an
 * utterance the recording does not carry reads under 0.3 (sent-speech-alignment.test.ts).
 */
export const MIN_ALIGNMENT_CORRELATION = 0.5;

/**
 * Asserts the alignment oracle found every utterance the bot sent; when it lost one (its window
 * correlates under MIN_ALIGNMENT_CORRELATION), the message gives each utterance's interval and
 * correlation, and the call — with the sent stream — is kept, so the oracle can be studied offline.
 */
export async function expectEveryUtteranceAligned(call: CallMeasurement, utterances: number): Promise<void> {
  const lost = call.aligned.filter((a) => !(a.correlation > MIN_ALIGNMENT_CORRELATION));
  const message =
    call.aligned.length === utterances && lost.length === 0
      ? undefined
      : `${call.aligned
          .map(
            (a, i) =>
              `utterance ${i + 1}: ${a.startMs.toFixed(1)}–${a.endMs.toFixed(1)} ms, correlation ${a.correlation.toFixed(3)}`,
          )
          .join("\n")}\nkept in ${await keepEvidence(call)}`;
  expect({ utterances: call.aligned.length, lost: lost.length }, message).toEqual({ utterances, lost: 0 });
}

/**
 * Asserts the sidecar found exactly the interruptions and turns the oracle saw (one of each kind
 * injected, five answered turns); on a miscount the message carries the evidence and where it was kept.
 */
export async function expectExactDetection(call: CallMeasurement): Promise<void> {
  const s = summarize([call]);
  const found = { user: s.userInterruptions, ai: s.aiInterruptions, turns: s.latencyTurns };
  const exact = {
    user: { truth: 1, detected: 1, missed: 0, invented: 0 },
    ai: { truth: 1, detected: 1, missed: 0, invented: 0 },
    turns: { truth: 5, missed: 0, invented: 0 },
  };
  const message = isDeepStrictEqual(found, exact)
    ? undefined
    : `${detectionEvidence(call)}\nkept in ${await keepEvidence(call)}`;
  expect(found, message).toEqual(exact);
}
