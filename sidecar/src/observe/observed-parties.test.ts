import { describe, expect, it } from "vitest";
import { ObservedParties } from "./observed-parties.ts";

describe("ObservedParties", () => {
  it("names the session's user identity the human and the given agent identity the agent", () => {
    const parties = new ObservedParties("7", "pipecat-bot");
    expect(parties.admit("someone-else")).toBeUndefined();
    expect(parties.admit("pipecat-bot")).toBe("agent");
    expect(parties.admit("7")).toBe("human");
    expect(parties.agentIdentity).toBe("pipecat-bot");
  });

  it("takes the first non-human participant as the agent when its identity is not known", () => {
    const parties = new ObservedParties("7", undefined);
    expect(parties.admit("7")).toBe("human");
    expect(parties.agentIdentity).toBeUndefined();
    expect(parties.admit("agent-AJ_1")).toBe("agent");
    expect(parties.admit("agent-AJ_2")).toBeUndefined();
    expect(parties.roleOf("agent-AJ_1")).toBe("agent");
    expect(parties.roleOf("agent-AJ_2")).toBeUndefined();
  });

  it("answers roleOf without fixing an agent", () => {
    const parties = new ObservedParties("7", undefined);
    expect(parties.roleOf("bot")).toBeUndefined();
    expect(parties.agentIdentity).toBeUndefined();
  });

  it("refuses an agent identity equal to the human's, naming the field", () => {
    expect(() => new ObservedParties("7", "7")).toThrow(
      "observe: agent_identity 7 is the human's identity; give the agent's own",
    );
  });
});
