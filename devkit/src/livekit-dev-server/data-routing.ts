import { DataPacket } from "@livekit/protocol";

/** rtc-node splits streams into ~15 KiB chunks; anything far larger is not from a real client. */
export const MAX_DATA_PACKET_BYTES = 64 * 1024;

export interface DataSender {
  identity: string;
  sid: string;
}

export type RoutedData =
  | { ok: true; bytes: Uint8Array; destinations: ReadonlySet<string> | undefined }
  | { ok: false; reason: string };

/**
 * Decodes a DataPacket a participant sent, stamps the sender the way livekit-server does (so
 * nobody can speak for someone else), and reports who should receive it. Stream header/chunk/
 * trailer packets (text and byte streams, e.g. `lk.chat`, `lk.transcription`) travel unchanged
 * apart from the stamp.
 */
export function routeDataPacket(raw: Uint8Array, sender: DataSender): RoutedData {
  if (raw.byteLength > MAX_DATA_PACKET_BYTES) {
    return { ok: false, reason: `data packet of ${raw.byteLength} bytes exceeds ${MAX_DATA_PACKET_BYTES}` };
  }
  let packet: DataPacket;
  try {
    packet = DataPacket.fromBinary(raw);
  } catch (err) {
    return {
      ok: false,
      reason: `undecodable DataPacket: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  packet.participantIdentity = sender.identity;
  packet.participantSid = sender.sid;
  const destinations = new Set(packet.destinationIdentities);
  if (packet.value.case === "user") {
    const user = packet.value.value;
    user.participantIdentity = sender.identity;
    user.participantSid = sender.sid;
    for (const id of user.destinationIdentities) destinations.add(id);
  }
  return {
    ok: true,
    bytes: packet.toBinary(),
    destinations: destinations.size > 0 ? destinations : undefined,
  };
}
