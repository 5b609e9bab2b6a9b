/**
 * One chat run for the embedded CLI: a suite scenario whose agent has `voice.chat: true`, played
 * over LiveKit text (its room entered by the channel's mode, like a voice run's) and
 * reported in the JSON report's run shape.
 *
 * The report says `channel: "text"`: a chat run is billed and evaluated as a text run (spec), its
 * transcript has text entries (`at_ms`, `latency_ms` from the caller's message to the reply) and
 * its metrics are the text ones (`turns`, `latency_ms`); a "voice" run without recording or audio
 * metrics would read as a broken voice run. `metadata.transport: "livekit_chat"` says how it ran.
 */
import { assembleRunReport, callerFor, notStartedReport } from "@spar/caller";
import type { EndedReason, RunReport } from "@spar/protocol";
import type { VoiceRunInput } from "../call/run-voice-scenario.ts";
import { type Clock, monotonicClock } from "../media/clock.ts";
import type { RoomEntryPorts } from "../room-entry/room-entry-types.ts";
import { enterSuiteRoom } from "../room-entry/suite-room-entry.ts";
import { runChatCall } from "./chat-call.ts";
import { chatRunMetrics, reportedChatEntry } from "./chat-report.ts";
import type { ChatRoomConnector } from "./chat-room.ts";
import { type ChatLimits, DEFAULT_CHAT_LIMITS } from "./chat-types.ts";
import { LiveKitChatRoomConnector } from "./livekit-chat-room.ts";

export const CHAT_TRANSPORT = "livekit_chat";

export interface ChatRunDeps {
  fetch?: typeof fetch;
  signal?: AbortSignal;
  clock?: Clock;
  connector?: ChatRoomConnector;
  /** Stage limits; the defaults otherwise (max duration 600 s, per turn 30 s, settle 300 ms). */
  limits?: Partial<ChatLimits>;
  /** Identity the caller joins as when a token is minted here. */
  callerIdentity?: string;
  /** Room entry's ports (limits, outbound check, randomness, log); `fetch` above is its default. */
  roomEntry?: Partial<RoomEntryPorts>;
}

export async function runChatScenario(input: VoiceRunInput, deps: ChatRunDeps = {}): Promise<RunReport> {
  const { suite, scenario } = input;
  const signal = deps.signal ?? new AbortController().signal;
  const fetchDeps = deps.fetch ? { fetch: deps.fetch } : {};
  const access = await enterSuiteRoom(
    { suite, scenario, runId: input.runId },
    {
      ...fetchDeps,
      signal,
      emit: () => undefined,
      ...(deps.callerIdentity ? { callerIdentity: deps.callerIdentity } : {}),
      ...(deps.roomEntry ? { roomEntry: deps.roomEntry } : {}),
    },
  );
  if (!access.ok) return failedBeforeCall(input, access.reason, access.message);
  const agentIdentity = suite.agent.voice?.agent_identity;
  const result = await runChatCall(
    {
      url: access.url,
      token: access.token,
      brain: callerFor(scenario, suite, fetchDeps),
      config: {
        limits: { ...DEFAULT_CHAT_LIMITS, ...deps.limits },
        ...(agentIdentity === undefined ? {} : { agentIdentity }),
        publishesDataMessage: false,
      },
    },
    {
      connector: deps.connector ?? new LiveKitChatRoomConnector(),
      clock: deps.clock ?? monotonicClock,
      emit: () => undefined,
      signal,
    },
  ).finally(() => access.release?.());
  const { end } = result;
  const transcript = result.transcript.map(reportedChatEntry);
  // What the call produced, never the scenario's own metadata: `metadata` assertions check the run.
  const produced: Record<string, unknown> = {
    transport: CHAT_TRANSPORT,
    ...(result.roomName ? { room_name: result.roomName } : {}),
  };
  return assembleRunReport(
    {
      runId: input.runId,
      scenario,
      attempt: input.attempt,
      channel: "text",
      outcome: {
        status: end.status,
        endedReason: end.reason,
        endedBy: end.endedBy,
        transcript,
        metadata: produced,
      },
      // The detail is a failure, or on caller_ended a failed expectation; on agent_ended it is only information.
      problem: end.status !== "completed" || end.reason === "caller_ended" ? (end.detail ?? null) : null,
      durationMs: Math.round((result.endedAt - result.startedAt) * 10) / 10,
      metrics: chatRunMetrics(transcript),
    },
    { ...fetchDeps, ...(suite.caller?.llm ? { llm: suite.caller.llm } : {}), signal },
  );
}

function failedBeforeCall(input: VoiceRunInput, reason: EndedReason, message: string): RunReport {
  const { runId, scenario, attempt } = input;
  return notStartedReport({
    runId,
    scenario,
    attempt,
    channel: "text",
    reason,
    message,
    metadata: { transport: CHAT_TRANSPORT },
    metrics: chatRunMetrics([]),
  });
}
