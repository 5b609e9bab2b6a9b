/**
 * Media sockets with large receive buffers, as livekit-server does (it asks for ~5 MB per UDP
 * socket). A JavaScript SFU answers datagrams on one event loop; with Linux's default 208 KiB
 * buffer a pause of ~100 ms at 20 calls (2,000 packets/s in) overflows it. Measured in
 * bench/voice-load at 20 calls with the defaults: 117,842 datagrams dropped in one minute, every
 * dev-server socket losing ~100. Lost packets make the publishers' Opus encoders add in-band FEC
 * (more CPU), which starves the box further. The kernel caps the size at net.core.rmem_max.
 *
 * werift creates its sockets with `createSocket` from "dgram" (a named ESM import, or the CJS
 * module object), so wrapping that function once per process, and syncing the builtin's ESM
 * exports (Node's documented `syncBuiltinESMExports`), reaches every socket it makes.
 */
import dgram from "node:dgram";
import { syncBuiltinESMExports } from "node:module";

/** What the server asks for per socket (the kernel caps it at net.core.rmem_max). */
export const MEDIA_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

const RAISED = Symbol.for("spar.livekit-dev-server.udp-buffers");

type CreateSocket = typeof dgram.createSocket;

/** Makes every UDP socket created from now on in this process ask for `bytes` of receive buffer. */
export function raiseUdpReceiveBuffers(bytes = MEDIA_RECEIVE_BUFFER_BYTES): void {
  const current = dgram.createSocket as CreateSocket & { [RAISED]?: true };
  if (current[RAISED]) return;
  const original = current;
  const wrapped = ((...args: Parameters<CreateSocket>) => {
    const socket = original(...args);
    socket.once("listening", () => {
      try {
        socket.setRecvBufferSize(bytes);
      } catch {
        // Not permitted here (or the socket already closed): the kernel default stays.
      }
    });
    return socket;
  }) as CreateSocket & { [RAISED]?: true };
  wrapped[RAISED] = true;
  dgram.createSocket = wrapped;
  syncBuiltinESMExports();
}
