/**
 * The JoinResponse the dev server sends first. Every field here is one rtc-node needs: a missing
 * `room` panics the Rust client, a ping interval of 0 aborts the whole Node process, a ping
 * timeout of 0 hangs connect, and `server_info.version` must be valid semver.
 */
import {
  Codec,
  JoinResponse,
  type ParticipantInfo,
  type Room,
  ServerInfo,
  ServerInfo_Edition,
} from "@livekit/protocol";

/** Must be valid semver (rtc-node parses it) and ≥ the features rtc-node 1.x expects. */
export const SERVER_VERSION = "1.9.0";
export const PING_INTERVAL_S = 5;
export const PING_TIMEOUT_S = 15;

export function joinResponse(
  room: Room,
  participant: ParticipantInfo,
  others: ParticipantInfo[],
): JoinResponse {
  return new JoinResponse({
    room,
    participant,
    otherParticipants: others,
    serverVersion: SERVER_VERSION,
    serverRegion: "local",
    iceServers: [],
    subscriberPrimary: true,
    pingInterval: PING_INTERVAL_S,
    pingTimeout: PING_TIMEOUT_S,
    serverInfo: new ServerInfo({
      edition: ServerInfo_Edition.Standard,
      version: SERVER_VERSION,
      protocol: 16,
      region: "local",
      nodeId: "ND_devkit",
    }),
    enabledPublishCodecs: [new Codec({ mime: "audio/opus" })],
  });
}
