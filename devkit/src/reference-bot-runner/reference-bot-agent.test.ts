import { describe, expect, it } from "vitest";
import { botCallOf } from "./bot-fleet.ts";
import { dispatchMetadataOf } from "./reference-bot-agent.ts";

describe("dispatch metadata as the options hook sees it", () => {
  it("passes a JSON object on and reads the run id and text mode from it", () => {
    const metadata = dispatchMetadataOf('{"rubric_run_id": 179, "text_mode": true, "team": "qa"}');
    expect(botCallOf("dispatch", "rubric-179-ab12cd34", "agent-AJ_1", metadata)).toEqual({
      mode: "dispatch",
      roomName: "rubric-179-ab12cd34",
      identity: "agent-AJ_1",
      rubricRunId: "179",
      textMode: true,
      metadata: { rubric_run_id: 179, text_mode: true, team: "qa" },
    });
  });

  it('reads text_mode given as the string "true"', () => {
    expect(botCallOf("dispatch", "r", "a", dispatchMetadataOf('{"text_mode": "true"}')).textMode).toBe(true);
  });

  it("hands other text on under dispatch_metadata, and nothing as an empty object", () => {
    expect(dispatchMetadataOf("hello")).toEqual({ dispatch_metadata: "hello" });
    expect(dispatchMetadataOf("[1, 2]")).toEqual({ dispatch_metadata: "[1, 2]" });
    expect(dispatchMetadataOf("")).toEqual({});
    expect(botCallOf("dispatch", "r", "a", dispatchMetadataOf("hello"))).toMatchObject({
      rubricRunId: undefined,
      textMode: false,
    });
  });

  it("reads a text_mode that is neither a boolean nor true/false text as off, keeping the run id", () => {
    expect(botCallOf("dispatch", "r", "a", { text_mode: "yes", rubric_run_id: 5 })).toMatchObject({
      rubricRunId: "5",
      textMode: false,
    });
  });

  it("ignores a run id that is neither text nor a whole number", () => {
    expect(botCallOf("dispatch", "r", "a", { rubric_run_id: { id: 1 } }).rubricRunId).toBeUndefined();
  });
});
