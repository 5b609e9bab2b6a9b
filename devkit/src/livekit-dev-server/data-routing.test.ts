import { DataPacket, UserPacket } from "@livekit/protocol";
import { describe, expect, it } from "vitest";
import { MAX_DATA_PACKET_BYTES, routeDataPacket } from "./data-routing.ts";

const sender = { identity: "alice", sid: "PA_alice" };

describe("routeDataPacket", () => {
  it("stamps the real sender over whatever the client claimed", () => {
    const forged = new DataPacket({
      participantIdentity: "mallory",
      value: {
        case: "user",
        value: new UserPacket({ participantIdentity: "mallory", payload: new Uint8Array([1]) }),
      },
    });
    const routed = routeDataPacket(forged.toBinary(), sender);
    if (!routed.ok) throw new Error(routed.reason);
    const out = DataPacket.fromBinary(routed.bytes);
    expect(out.participantIdentity).toBe("alice");
    expect(out.participantSid).toBe("PA_alice");
    expect(out.value.case === "user" && out.value.value.participantIdentity).toBe("alice");
    expect(routed.destinations).toBeUndefined();
  });

  it("collects destinations from the packet and from a user payload", () => {
    const p = new DataPacket({
      destinationIdentities: ["bob"],
      value: { case: "user", value: new UserPacket({ destinationIdentities: ["carol"] }) },
    });
    const routed = routeDataPacket(p.toBinary(), sender);
    expect(routed.ok && [...(routed.destinations ?? [])].sort()).toEqual(["bob", "carol"]);
  });

  it("passes stream packets through apart from the stamp", () => {
    const p = new DataPacket({
      value: { case: "streamChunk", value: { streamId: "s1", chunkIndex: 3n, content: new Uint8Array([7]) } },
    });
    const routed = routeDataPacket(p.toBinary(), sender);
    if (!routed.ok) throw new Error(routed.reason);
    const out = DataPacket.fromBinary(routed.bytes);
    expect(out.value.case).toBe("streamChunk");
    expect(
      out.value.case === "streamChunk" && [out.value.value.streamId, out.value.value.chunkIndex],
    ).toEqual(["s1", 3n]);
  });

  it("rejects oversized and undecodable packets with a reason", () => {
    expect(routeDataPacket(new Uint8Array(MAX_DATA_PACKET_BYTES + 1), sender)).toEqual({
      ok: false,
      reason: `data packet of ${MAX_DATA_PACKET_BYTES + 1} bytes exceeds ${MAX_DATA_PACKET_BYTES}`,
    });
    const bad = routeDataPacket(new Uint8Array([0xff, 0xff, 0xff]), sender);
    expect(bad.ok).toBe(false);
  });
});
