/**
 * Works around a werift DTLS bug that stalled data: the second packet the dev server forwarded
 * to a participant, and later one packet per connection, arrived ~1 s late.
 *
 * werift (0.24.4, also 0.25.2) sends its Finished message as the first record of epoch 1 with
 * the epoch-0 record counter still running (e.g. sequence 8), then resets the counter to 0. The
 * application records that follow count 1, 2, 3, …, so one of them reuses Finished's (epoch 1,
 * sequence) pair; libwebrtc's DTLS drops it as a replay. That record is an SCTP packet: nothing
 * acknowledges it and werift resends it when its retransmission timer (1 s) fires. Measured with
 * real rtc-node peers: bob→alice 1,197 ms and alice→bob 1,004 ms for the second message each way,
 * 3–8 ms for the first and third. A text stream (header, chunk, trailer packets) hit it on first use.
 *
 * The fix: once a DTLS transport has connected — before any application record is sent — its
 * record counter jumps past every sequence number a handshake can have used. The counter is
 * werift-internal; `installDtlsSequenceFix` checks the shape it relies on and throws when it is
 * not there, so a werift upgrade fails loudly instead of bringing the stall back.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { RTCDtlsTransport } from "werift";

/** Far above the records of a handshake (a dozen at most); the peer's replay window slides forward. */
export const APPLICATION_RECORD_START = 1024;

interface DtlsContextLike {
  recordSequenceNumber: number;
}

let installed = false;

/** The werift version the internals below were checked against. */
export const CHECKED_WERIFT_VERSION = "0.24.4";

export function installDtlsSequenceFix(): void {
  if (installed) return;
  const version = weriftVersion();
  if (version !== CHECKED_WERIFT_VERSION) {
    throw new Error(
      `dtls-sequence-fix: checked against werift ${CHECKED_WERIFT_VERSION}, found ${String(version)}; ` +
        "check whether werift still resets its DTLS record counter after Finished, then update this file",
    );
  }
  const proto = RTCDtlsTransport.prototype as unknown as {
    start: (this: RTCDtlsTransport, ...args: unknown[]) => Promise<void>;
  };
  const start = proto.start;
  if (typeof start !== "function") throw new Error("dtls-sequence-fix: RTCDtlsTransport.start is missing");
  proto.start = async function patchedStart(this: RTCDtlsTransport, ...args: unknown[]): Promise<void> {
    await start.apply(this, args);
    // Runs before the peer connection's own continuation (which starts SCTP): no application
    // record has been sent on this transport yet.
    skipHandshakeSequenceNumbers(this);
  };
  installed = true;
}

/** werift's version from its package.json (not exported: found from its entry point). */
function weriftVersion(): unknown {
  let dir = dirname(createRequire(import.meta.url).resolve("werift"));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (typeof pkg === "object" && pkg !== null && "name" in pkg && pkg.name === "werift") {
        return "version" in pkg ? pkg.version : undefined;
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Moves a connected transport's record counter past the handshake's sequence numbers. */
export function skipHandshakeSequenceNumbers(transport: unknown): void {
  const context = (transport as { dtls?: { dtls?: DtlsContextLike } }).dtls?.dtls;
  if (!context || typeof context.recordSequenceNumber !== "number") {
    throw new Error(
      "dtls-sequence-fix: RTCDtlsTransport.dtls.dtls.recordSequenceNumber is not where werift 0.24.4 keeps it",
    );
  }
  context.recordSequenceNumber = Math.max(context.recordSequenceNumber, APPLICATION_RECORD_START);
}
