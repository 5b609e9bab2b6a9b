import { AddTrackRequest, TrackSource, TrackType } from "@livekit/protocol";
import { describe, expect, it } from "vitest";
import { MAX_TRACKS_PER_PARTICIPANT, trackFromRequest } from "./track-request.ts";

const audio = (fields: Partial<AddTrackRequest> = {}) =>
  new AddTrackRequest({
    cid: "mic-1",
    name: "mic",
    type: TrackType.AUDIO,
    source: TrackSource.MICROPHONE,
    ...fields,
  });

describe("trackFromRequest", () => {
  it("announces an audio track with a TR_ sid, its name and source", () => {
    const outcome = trackFromRequest(audio(), 0);
    if (!outcome.ok) throw new Error(outcome.reason);
    expect(outcome.track.sid).toMatch(/^TR_/);
    expect(outcome.track).toMatchObject({
      name: "mic",
      type: TrackType.AUDIO,
      source: TrackSource.MICROPHONE,
    });
    expect(outcome.track.mimeType).toBe("audio/opus");
  });

  it("refuses a video track, worth a warning", () => {
    expect(trackFromRequest(audio({ type: TrackType.VIDEO }), 0)).toEqual({
      ok: false,
      reason: "only audio tracks are forwarded; ignoring mic-1",
      warn: true,
    });
  });

  it("refuses an empty or overlong cid and the track past the limit, silently", () => {
    expect(trackFromRequest(audio({ cid: "" }), 0)).toMatchObject({ ok: false, warn: false });
    expect(trackFromRequest(audio({ cid: "c".repeat(257) }), 0)).toMatchObject({ ok: false, warn: false });
    expect(trackFromRequest(audio(), MAX_TRACKS_PER_PARTICIPANT - 1).ok).toBe(true);
    expect(trackFromRequest(audio(), MAX_TRACKS_PER_PARTICIPANT)).toEqual({
      ok: false,
      reason: "at most 16 tracks per participant",
      warn: false,
    });
  });

  it("cuts names to 256 characters", () => {
    const outcome = trackFromRequest(audio({ name: "n".repeat(300) }), 0);
    expect(outcome.ok && outcome.track.name.length).toBe(256);
  });
});
