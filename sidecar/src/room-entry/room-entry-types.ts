/**
 * The room-entry port types (spec/voice-livekit.md § Ways into a room): what every mode needs
 * injected, what it hands back (where to join, and how to clean up a room the platform made),
 * and the named failures of its stages.
 */
import type { EndedReason } from "@spar/protocol";

/** Who the run is, as the endpoints and dispatch metadata see it. */
export interface RoomEntryContext {
  runId: string;
  /** Ids as a bot runner receives them: the platform's integers through the gateway, a suite's strings embedded. */
  scenario: { id: string | number; name: string };
  agentId: string | number | undefined;
  /** Chat-over-LiveKit runs: a dispatch made by the platform carries `text_mode: true`. */
  chat?: boolean;
}

export type RoomEntryFailureReason = Extract<
  EndedReason,
  "bot_runner_error" | "invalid_bot_runner_response" | "token_missing" | "room_create_failed"
>;

export interface RoomEntryFailure {
  ok: false;
  reason: RoomEntryFailureReason;
  /** For people; never holds a secret (API secret, tokens). */
  message: string;
}

export interface RoomAccess {
  ok: true;
  /** LiveKit server URL the caller joins. */
  url: string;
  /** The caller's token (secret). */
  token: string;
  /** Known for every mode but `manual` (where the token names it). */
  roomName: string | undefined;
  /** Rooms the platform created: deletes the room (best effort; failures are logged). */
  release?: () => Promise<void>;
}

export type RoomEntry = RoomAccess | RoomEntryFailure;

/** Stage limits of room entry, in ms (spec: 30 s per endpoint answer, 15 s per room creation). */
export interface RoomEntryLimits {
  endpointMs: number;
  roomCreateMs: number;
}

export const DEFAULT_ROOM_ENTRY_LIMITS: RoomEntryLimits = { endpointMs: 30_000, roomCreateMs: 15_000 };

export interface RoomEntryPorts {
  fetch: typeof fetch;
  limits: RoomEntryLimits;
  /** `n` random bytes as lowercase hex (the room-name suffix). */
  randomHex: (bytes: number) => string;
  /** A fresh room name for token endpoints (a UUID). */
  randomUuid: () => string;
  /** The outbound policy: why `url` may not be called, or undefined when it may. */
  checkUrl: (url: string) => string | undefined;
  /** Stops every pending request (the run was stopped); the caller then reports the run interrupted. */
  signal?: AbortSignal;
  /** One line per cleanup problem; never given a secret. */
  log: (line: string) => void;
}

export const entryFailure = (reason: RoomEntryFailureReason, message: string): RoomEntryFailure => ({
  ok: false,
  reason,
  message,
});
