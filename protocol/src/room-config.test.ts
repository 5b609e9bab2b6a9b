import { describe, expect, it } from "vitest";
import { ignoredRoomConfigKeys, roomConfigSchema } from "./room-config.ts";
import { issueLines } from "./suite-issues.ts";

describe("room config", () => {
  it("accepts the forwarded keys and reports the others as ignored, sorted", () => {
    const config = { empty_timeout: 600, metadata: { team: "a" }, zeta: 1, alpha: true, sync_streams: false };
    expect(roomConfigSchema.safeParse(config).success).toBe(true);
    expect(ignoredRoomConfigKeys(config)).toEqual(["alpha", "zeta"]);
    expect(ignoredRoomConfigKeys(undefined)).toEqual([]);
  });

  it("names each forwarded key of the wrong type", () => {
    const r = roomConfigSchema.safeParse({
      max_participants: 0,
      metadata: 3,
      min_playout_delay: 1.5,
      other: "x",
    });
    expect(r.success ? [] : issueLines(r.error.issues)).toEqual([
      "max_participants: must be an integer from 1 to 1000 (participants)",
      "metadata: must be a string or an object",
      "min_playout_delay: must be an integer from 0 to 60000 (milliseconds)",
    ]);
  });
});
