import { describe, expect, it } from "vitest";
import { APPLICATION_RECORD_START, skipHandshakeSequenceNumbers } from "./dtls-sequence-fix.ts";

describe("skipHandshakeSequenceNumbers", () => {
  it("moves the record counter past every handshake sequence number, never back", () => {
    const fresh = { dtls: { dtls: { recordSequenceNumber: 0 } } };
    skipHandshakeSequenceNumbers(fresh);
    expect(fresh.dtls.dtls.recordSequenceNumber).toBe(APPLICATION_RECORD_START);
    const ahead = { dtls: { dtls: { recordSequenceNumber: APPLICATION_RECORD_START + 5 } } };
    skipHandshakeSequenceNumbers(ahead);
    expect(ahead.dtls.dtls.recordSequenceNumber).toBe(APPLICATION_RECORD_START + 5);
  });

  it("throws, naming the field, when werift keeps the counter elsewhere", () => {
    expect(() => skipHandshakeSequenceNumbers({ dtls: {} })).toThrow(
      "dtls-sequence-fix: RTCDtlsTransport.dtls.dtls.recordSequenceNumber is not where werift 0.24.4 keeps it",
    );
  });
});
