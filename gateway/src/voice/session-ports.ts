/**
 * What the session API needs from its runtime: LiveKit room admin, a caller for bots' session
 * endpoints, and the seam where the platform's media sidecar will join a started session.
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
}

/**
 * Called once per started session, after it is recorded and before the answer is sent. The spec
 * has the platform's media sidecar join as a silent observer here, recording and measuring the
 * call like a run. That needs voice dispatch to sidecars; until it is wired, composition roots
 * pass `sessionsNotObserved` and sessions are neither recorded nor measured.
 */
export type SessionStartedHook = (session: StartedSession) => Promise<void>;

/** The hook until a sidecar observes sessions: nothing joins, nothing is recorded. */
export const sessionsNotObserved: SessionStartedHook = async () => undefined;

export interface LivekitSessionPorts {
  rooms: LivekitRoomAdmin;
  callSessionEndpoint: SessionEndpointCaller;
  onSessionStarted: SessionStartedHook;
}
