import {
  ParticipantInfo,
  ParticipantPermission,
  RequestResponse_Reason,
  UpdateParticipantMetadata,
} from "@livekit/protocol";
import { describe, expect, it } from "vitest";
import { applyMetadataUpdate } from "./metadata-update.ts";

const participant = (canUpdateMetadata: boolean) =>
  new ParticipantInfo({
    identity: "bot",
    name: "old",
    metadata: "m0",
    attributes: { keep: "1", drop: "2" },
    permission: new ParticipantPermission({ canUpdateMetadata }),
  });

describe("applyMetadataUpdate", () => {
  it("applies metadata, name and attributes, deleting attributes set to the empty string", () => {
    const info = participant(true);
    const outcome = applyMetadataUpdate(
      info,
      new UpdateParticipantMetadata({ metadata: "m1", name: "new", attributes: { drop: "", add: "3" } }),
    );
    expect(outcome).toEqual({ reason: RequestResponse_Reason.OK, message: "", applied: true });
    expect(info).toMatchObject({ metadata: "m1", name: "new", attributes: { keep: "1", add: "3" } });
  });

  it("refuses a participant whose token lacks canUpdateOwnMetadata and changes nothing", () => {
    const info = participant(false);
    expect(applyMetadataUpdate(info, new UpdateParticipantMetadata({ metadata: "m1" }))).toEqual({
      reason: RequestResponse_Reason.NOT_ALLOWED,
      message: "token lacks canUpdateOwnMetadata",
      applied: false,
    });
    expect(info.metadata).toBe("m0");
  });

  it("refuses the whole update when metadata is over 64 KiB or there are over 64 attributes", () => {
    const info = participant(true);
    const tooLarge = new UpdateParticipantMetadata({ metadata: "x".repeat(64 * 1024 + 1), name: "new" });
    expect(applyMetadataUpdate(info, tooLarge)).toMatchObject({
      reason: RequestResponse_Reason.LIMIT_EXCEEDED,
      applied: false,
    });
    const attributes = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, "v"]));
    expect(applyMetadataUpdate(info, new UpdateParticipantMetadata({ attributes })).applied).toBe(false);
    expect(info).toMatchObject({ metadata: "m0", name: "old" });
  });
});
