/**
 * Room admin on the user's LiveKit project ("we create rooms"): create and delete rooms, dispatch
 * an agent. The port is what the session API needs; the adapter is livekit-server-sdk's Twirp
 * clients, which only use `fetch` (so they run on Node and Workers alike). Every call first
 * passes the outbound policy on the LiveKit URL, and region failover is off: the SDK would
 * otherwise retry against region URLs it discovers, which no policy checked.
 */
import type { LivekitCredentials } from "@spar/protocol";
import { AgentDispatchClient, type CreateOptions, RoomServiceClient, TwirpError } from "livekit-server-sdk";

/** A failure to say to the user as it is: LiveKit's answer, or why the call was not made. */
export class LivekitAdminError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LivekitAdminError";
  }
}

export interface LivekitRoomAdmin {
  /** `options`: the forwarded room options in the API's snake_case (roomOptionsOf). */
  createRoom(credentials: LivekitCredentials, room: string, options: Record<string, unknown>): Promise<void>;
  /** `absent` when LiveKit has no such room (it ended already): not an error for a caller ending it. */
  deleteRoom(credentials: LivekitCredentials, room: string): Promise<"deleted" | "absent">;
  createDispatch(
    credentials: LivekitCredentials,
    dispatch: { room: string; agentName: string; metadata: string },
  ): Promise<void>;
}

/** The spec's room-creation limit (spec/voice-livekit.md § Timeouts), for every admin call. */
export const LIVEKIT_ADMIN_TIMEOUT_S = 15;

/** snake_case room option → the CreateRoomRequest field it sets. */
const ROOM_OPTION_FIELDS: Record<string, string> = {
  empty_timeout: "emptyTimeout",
  departure_timeout: "departureTimeout",
  max_participants: "maxParticipants",
  metadata: "metadata",
  min_playout_delay: "minPlayoutDelay",
  max_playout_delay: "maxPlayoutDelay",
  sync_streams: "syncStreams",
  room_preset: "roomPreset",
};

export function createRoomRequestOf(room: string, options: Record<string, unknown>): CreateOptions {
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const field = ROOM_OPTION_FIELDS[key];
    if (field !== undefined && value !== undefined) request[field] = value;
  }
  // The platform's room name always wins over anything in the options.
  return { ...request, name: room } as CreateOptions;
}

function describe(error: unknown, url: string): string {
  if (error instanceof TwirpError) {
    return `LiveKit answered ${error.status}${error.code ? ` ${error.code}` : ""}: ${error.message}`;
  }
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `LiveKit at ${url} did not answer within ${LIVEKIT_ADMIN_TIMEOUT_S} s`;
  }
  const detail =
    error instanceof Error
      ? error.cause instanceof Error
        ? error.cause.message
        : error.message
      : String(error);
  return `LiveKit at ${url} could not be reached (${detail})`;
}

/**
 * The adapter. `checkUrl` answers why a URL may not be called now (the outbound policy), or
 * undefined.
 */
export function sdkLivekitRoomAdmin(
  checkUrl: (url: string) => Promise<string | undefined>,
): LivekitRoomAdmin {
  const options = { requestTimeout: LIVEKIT_ADMIN_TIMEOUT_S, failover: false };
  async function call<T>(credentials: LivekitCredentials, action: () => Promise<T>): Promise<T> {
    const refused = await checkUrl(credentials.url);
    if (refused !== undefined) {
      throw new LivekitAdminError(`the outbound policy refused the LiveKit URL: ${refused}`);
    }
    try {
      return await action();
    } catch (error) {
      throw new LivekitAdminError(describe(error, credentials.url), { cause: error });
    }
  }
  const rooms = (c: LivekitCredentials) => new RoomServiceClient(c.url, c.api_key, c.api_secret, options);
  return {
    async createRoom(credentials, room, roomOptions) {
      await call(credentials, () => rooms(credentials).createRoom(createRoomRequestOf(room, roomOptions)));
    },
    async deleteRoom(credentials, room) {
      const refused = await checkUrl(credentials.url);
      if (refused !== undefined) {
        throw new LivekitAdminError(`the outbound policy refused the LiveKit URL: ${refused}`);
      }
      try {
        await rooms(credentials).deleteRoom(room);
        return "deleted";
      } catch (error) {
        if (error instanceof TwirpError && error.status === 404) return "absent";
        throw new LivekitAdminError(describe(error, credentials.url), { cause: error });
      }
    },
    async createDispatch(credentials, dispatch) {
      const client = new AgentDispatchClient(
        credentials.url,
        credentials.api_key,
        credentials.api_secret,
        options,
      );
      await call(credentials, () =>
        client.createDispatch(dispatch.room, dispatch.agentName, { metadata: dispatch.metadata }),
      );
    },
  };
}
