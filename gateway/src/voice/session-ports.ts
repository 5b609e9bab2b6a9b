/**
 * What the session API needs from its runtime: LiveKit room admin, a caller for bots' session
 * endpoints, and the seam where the platform's media sidecar joins a started session.
 */
import type { LivekitCredentials } from "@spar/protocol";
import type { LivekitRoomAdmin } from "./livekit-admin.ts";
import type { SessionEndpointCaller } from "./session-endpoint.ts";

/** A browser session whose room exists, whose agent is on its way and whose token is minted. */
export interface StartedSession {
  workspaceId: number;
  agentId: number;
  userId: number;
  roomName: string;
  /** The credentials the room was created with: what an observer needs to mint its own token. */
  credentials: LivekitCredentials;
  /**
   * The agent's identity in the room when the platform knows it: the bot token's (`pipecat-bot`)
   * for a session endpoint, the channel's `agent_identity` when set; else undefined (a dispatched
   * agent names itself; the observer takes the first participant that is not the human).
   */
  agentIdentity: string | undefined;
}

/** Whether a started session is recorded and measured, and by which run. */
export type SessionObservation = { observed: true; runId: number } | { observed: false; reason: string };

/**
 * Called once per started session, after it is recorded and before the answer is sent: the
 * platform's media sidecar joins as a silent observer (livekit-sessions-observer.ts), recording
 * and measuring the call as a run. It never fails the session: when nothing can observe it, it
 * answers why, and the human's call goes ahead unrecorded.
 */
export type SessionStartedHook = (session: StartedSession) => Promise<SessionObservation>;

/** The hook where nothing observes sessions (tests of the session API itself). */
export const sessionsNotObserved: SessionStartedHook = async () => ({
  observed: false,
  reason: "sessions are not observed on this deployment",
});

export interface LivekitSessionPorts {
  rooms: LivekitRoomAdmin;
  callSessionEndpoint: SessionEndpointCaller;
  onSessionStarted: SessionStartedHook;
}
