import { describe, expect, it } from "vitest";
import { keepRejectedSectionsBundled, parseMediaSections, remoteSends, sdpProblem } from "./sdp.ts";

const OFFER = [
  "v=0",
  "o=- 1 2 IN IP4 127.0.0.1",
  "s=-",
  "t=0 0",
  "a=group:BUNDLE 0 1 2",
  "a=ice-ufrag:abcd",
  "a=fingerprint:sha-256 AA:BB",
  "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
  "a=mid:0",
  "m=audio 9 UDP/TLS/RTP/SAVPF 111",
  "a=mid:1",
  "a=sendonly",
  "a=msid:- TR_cid1",
  "m=video 9 UDP/TLS/RTP/SAVPF 96",
  "a=mid:2",
  "a=recvonly",
  "",
].join("\r\n");

describe("sdp helpers", () => {
  it("reads kind, port, mid, direction and msid track id per section", () => {
    expect(parseMediaSections(OFFER)).toEqual([
      { kind: "application", port: 9, mid: "0", direction: "sendrecv", msidTrack: undefined },
      { kind: "audio", port: 9, mid: "1", direction: "sendonly", msidTrack: "TR_cid1" },
      { kind: "video", port: 9, mid: "2", direction: "recvonly", msidTrack: undefined },
    ]);
  });

  it("knows which sections send media to the server", () => {
    const [app, audio, video] = parseMediaSections(OFFER);
    expect([app, audio, video].map((s) => (s ? remoteSends(s) : null))).toEqual([true, true, false]);
    expect(remoteSends({ kind: "audio", port: 0, mid: "x", direction: "sendonly", msidTrack: "a" })).toBe(
      false,
    );
  });

  it("turns port-0 answer sections the offer kept into bundled inactive ones", () => {
    const answer = [
      "v=0",
      "a=group:BUNDLE 0 1",
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel",
      "a=mid:0",
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      "a=mid:1",
      "a=recvonly",
      "m=video 0 UDP/TLS/RTP/SAVPF 96",
      "a=mid:2",
      "a=sendonly",
      "",
    ].join("\r\n");
    const fixed = keepRejectedSectionsBundled(OFFER, answer).split("\r\n");
    expect(fixed).toContain("a=group:BUNDLE 0 1 2");
    expect(fixed).toContain("m=video 9 UDP/TLS/RTP/SAVPF 96");
    expect(fixed.slice(fixed.indexOf("m=video 9 UDP/TLS/RTP/SAVPF 96"))).toEqual([
      "m=video 9 UDP/TLS/RTP/SAVPF 96",
      "a=mid:2",
      "a=inactive",
      "",
    ]);
    expect(fixed).toContain("a=recvonly");
  });

  it("adds a=inactive to a revived section that had no direction line", () => {
    const answer = [
      "v=0",
      "a=group:BUNDLE 0",
      "m=application 9 X",
      "a=mid:0",
      "m=audio 9 X 111",
      "a=mid:1",
      "m=video 0 X 96",
      "a=mid:2",
      "",
    ].join("\r\n");
    const fixed = keepRejectedSectionsBundled(OFFER, answer).split("\r\n");
    expect(fixed.slice(fixed.indexOf("m=video 9 X 96"))).toEqual([
      "m=video 9 X 96",
      "a=mid:2",
      "a=inactive",
      "",
    ]);
  });

  it("refuses text that is not plausibly an SDP, naming the rule", () => {
    expect(sdpProblem(OFFER)).toBeUndefined();
    expect(sdpProblem("hello")).toBe("SDP must start with v=0");
    expect(sdpProblem("v=0\r\n")).toBe("SDP has no m= section");
    expect(sdpProblem("v=0\r\nm=audio 9 X 111\r\n")).toBe("every m= section needs a=mid");
    expect(sdpProblem(`v=0\r\n${"x".repeat(200_000)}`)).toMatch(/longer than/);
  });
});
