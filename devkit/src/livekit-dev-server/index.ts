export {
  type CreateRoomOptions,
  type ParticipantSession,
  type RegistryEvent,
  RoomRegistry,
} from "./room-registry.ts";
export { type LiveKitDevServer, type LiveKitDevServerOptions, startLiveKitDevServer } from "./server.ts";
