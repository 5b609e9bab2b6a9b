/**
 * The embedded runners' way into a suite's room (voice and chat alike): the suite's LiveKit
 * channel as a job connection (protocol's voiceConnectionFor, minting a manual caller's token
 * from the API key when no token is given), then room entry by its mode, reported as the
 * `room_entry` stage. The ids sent to bot runners are the suite's.
 */
import {
  type EndedReason,
  type Scenario,
  type Suite,
  type VoiceConnection,
  type VoiceRunEventBody,
  voiceConnectionFor,
} from "@spar/protocol";
import { CALLER_IDENTITY, mintRoomToken } from "./caller-tokens.ts";
import { enterRoom, roomEntryPorts } from "./room-entry.ts";
import type { RoomAccess, RoomEntryPorts } from "./room-entry-types.ts";

/** A manual token only has to be valid when the caller joins (and for rtc-node's reconnects). */
const MANUAL_TOKEN_TTL_S = 600;

export type SuiteConnection =
  | { ok: true; connection: VoiceConnection }
  | { ok: false; reason: EndedReason; message: string };

export async function suiteVoiceConnection(
  suite: Suite,
  runId: string,
  callerIdentity = CALLER_IDENTITY,
): Promise<SuiteConnection> {
  const livekit = suite.agent.voice?.livekit;
  if (!livekit)
    return { ok: false, reason: "internal_error", message: "agent.voice.livekit is not configured" };
  const plan = voiceConnectionFor(livekit);
  if (!plan.ok) return plan;
  if ("connection" in plan) return plan;
  const room = plan.mint.room ?? `spar-${runId}`;
  const token = await mintRoomToken(plan.mint, callerIdentity, room, MANUAL_TOKEN_TTL_S);
  return { ok: true, connection: { mode: "manual", livekit_room_url: plan.mint.url, access_token: token } };
}

export interface SuiteRoomEntryInput {
  suite: Suite;
  scenario: Scenario;
  runId: string;
}

export interface SuiteRoomEntryDeps {
  fetch?: typeof fetch;
  signal: AbortSignal;
  callerIdentity?: string;
  emit: (event: VoiceRunEventBody) => void;
  roomEntry?: Partial<RoomEntryPorts>;
}

/** Enters the suite's room; a failure carries its reason (`interrupted` when stopped while entering). */
export async function enterSuiteRoom(
  input: SuiteRoomEntryInput,
  deps: SuiteRoomEntryDeps,
): Promise<RoomAccess | { ok: false; reason: EndedReason; message: string }> {
  const { suite, scenario, runId } = input;
  const planned = await suiteVoiceConnection(suite, runId, deps.callerIdentity);
  if (!planned.ok) return planned;
  deps.emit({ type: "stage_started", stage: "room_entry" });
  const access = await enterRoom(
    planned.connection,
    {
      runId,
      scenario: { id: scenario.id, name: scenario.name ?? scenario.id },
      agentId: suite.agent.id,
      ...(suite.agent.voice?.chat ? { chat: true } : {}),
    },
    roomEntryPorts({ ...(deps.fetch ? { fetch: deps.fetch } : {}), ...deps.roomEntry, signal: deps.signal }),
  );
  // Stopped while entering (Ctrl-C): interrupted, whatever the pending request then reported.
  const entryEnd = access.ok ? undefined : deps.signal.aborted ? "interrupted" : access.reason;
  deps.emit({
    type: "stage_finished",
    stage: "room_entry",
    ok: access.ok,
    ...(entryEnd ? { reason: entryEnd } : {}),
  });
  if (!access.ok) return { ok: false, reason: entryEnd ?? access.reason, message: access.message };
  return access;
}
