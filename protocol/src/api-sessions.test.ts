import { describe, expect, it } from "vitest";
import { livekitSessionCreateSchema } from "./api-sessions.ts";

describe("livekitSessionCreateSchema", () => {
  it("takes an agent id as an integer or its decimal string, ignoring other fields", () => {
    expect(livekitSessionCreateSchema.parse({ agent_id: 5 })).toEqual({ agent_id: 5 });
    expect(livekitSessionCreateSchema.parse({ agent_id: "5", architecture: "pipeline" })).toEqual({
      agent_id: 5,
    });
  });

  it("refuses ids that are not positive integers, naming the rule", () => {
    for (const agent_id of [0, -1, 1.5, "05", "5a", "", null]) {
      const parsed = livekitSessionCreateSchema.safeParse({ agent_id });
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.message).toBe(
        "must be an agent id: a positive integer, or its decimal string",
      );
    }
  });
});
