/**
 * One text run: a scenario played once against the agent's X-RUBRIC endpoint, evaluated, and
 * reported in the JSON report's run shape. Used by the embedded CLI and the Node gateway; the
 * session runs over Node's `ws` shell, the rest is `text-run-report.ts` (shared with Workers).
 */
import type { RunReport, TranscriptEntry } from "@spar/protocol";
import { runTextSession } from "../runtime/node/ws-text-session.ts";
import type { SessionEvent } from "../text-session/session-types.ts";
import {
  callerOf,
  handshakeHeaders,
  reportedEntry,
  reportTextRun,
  sessionConfigFor,
  type TextReportDeps,
  type TextRunInput,
  textChannelOf,
} from "./text-run-report.ts";

export { sessionConfigFor, type TextRunInput } from "./text-run-report.ts";

export interface TextRunDeps extends TextReportDeps {
  onEvent?: (event: SessionEvent) => void;
  /** Each transcript entry as it is recorded (times not yet rounded). */
  onTranscript?: (entry: TranscriptEntry) => void;
}

export async function runTextScenario(input: TextRunInput, deps: TextRunDeps = {}): Promise<RunReport> {
  const channel = textChannelOf(input);
  const { onTranscript } = deps;
  const result = await runTextSession({
    url: channel.url,
    headers: handshakeHeaders(input),
    config: sessionConfigFor(channel, deps),
    caller: callerOf(input, deps),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.onEvent ? { onEvent: deps.onEvent } : {}),
    ...(onTranscript ? { onTranscript: (e: TranscriptEntry) => onTranscript(reportedEntry(e)) } : {}),
  });
  return reportTextRun(input, result, deps);
}
