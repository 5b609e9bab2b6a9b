import dgram, { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { MEDIA_RECEIVE_BUFFER_BYTES, raiseUdpReceiveBuffers } from "./udp-buffers.ts";

/** net.core.rmem_max: the kernel's cap for SO_RCVBUF (it stores twice the size asked for). */
function rmemMax(): number {
  return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim());
}

async function boundSocket(via: "module" | "named" = "module"): Promise<dgram.Socket> {
  // werift's ESM build uses the named import; its CJS build the module object.
  const socket = via === "named" ? createSocket("udp4") : dgram.createSocket("udp4");
  await new Promise<void>((resolve) => socket.bind({ address: "127.0.0.1", port: 0 }, resolve));
  // The wrapper sets the size on "listening", which fires before bind's callback.
  return socket;
}

describe("raiseUdpReceiveBuffers", () => {
  it("gives sockets created afterwards the asked-for receive buffer, capped by rmem_max", async () => {
    const before = await boundSocket();
    const defaultSize = before.getRecvBufferSize();
    before.close();
    raiseUdpReceiveBuffers();
    raiseUdpReceiveBuffers(); // idempotent: one wrapper
    const expected = Math.max(2 * Math.min(MEDIA_RECEIVE_BUFFER_BYTES, rmemMax()), defaultSize);
    for (const via of ["module", "named"] as const) {
      const socket = await boundSocket(via);
      expect(socket.getRecvBufferSize(), via).toBe(expected);
      socket.close();
    }
  });
});
