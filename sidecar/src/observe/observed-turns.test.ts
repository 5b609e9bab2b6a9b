import { describe, expect, it } from "vitest";
import { buildObservedTurns, humanTurnIntervals } from "./observed-turns.ts";

const turn = (role: "human" | "agent", startMs: number, endMs: number, content = "", textOnly = false) => ({
  role,
  startMs,
  endMs,
  content,
  textOnly,
});

describe("buildObservedTurns", () => {
  it("joins one party's speech across pauses shorter than the endpointing window", () => {
    const turns = buildObservedTurns({
      human: [
        { startMs: 1000, endMs: 1800 },
        { startMs: 2300, endMs: 3000 },
      ],
      agent: [{ startMs: 3700, endMs: 5200 }],
      words: [],
      endpointingMs: 700,
    });
    expect(turns).toEqual([turn("human", 1000, 3000), turn("agent", 3700, 5200)]);
  });

  it("starts a new turn after a pause of the endpointing window or when the other party spoke between", () => {
    const turns = buildObservedTurns({
      human: [
        { startMs: 0, endMs: 500 },
        { startMs: 1200, endMs: 1500 },
        { startMs: 2000, endMs: 2100 },
      ],
      agent: [{ startMs: 1600, endMs: 1900 }],
      words: [],
      endpointingMs: 700,
    });
    expect(turns).toEqual([
      turn("human", 0, 500),
      turn("human", 1200, 1500),
      turn("agent", 1600, 1900),
      turn("human", 2000, 2100),
    ]);
  });

  it("attaches each party's published words to its turn, also words arriving up to the lead before the sound", () => {
    const turns = buildObservedTurns({
      human: [{ startMs: 1000, endMs: 2000 }],
      agent: [
        { startMs: 2700, endMs: 4000 },
        { startMs: 6000, endMs: 7000 },
      ],
      words: [
        { speaker: "agent", text: "Thanks for calling.", atMs: 2650 },
        { speaker: "human", text: "Hello there", atMs: 2300 },
        { speaker: "agent", text: "Anything else?", atMs: 5100 },
        { speaker: "agent", text: " ", atMs: 5200 },
      ],
      endpointingMs: 700,
    });
    expect(turns).toEqual([
      turn("human", 1000, 2000, "Hello there"),
      turn("agent", 2700, 4000, "Thanks for calling."),
      turn("agent", 6000, 7000, "Anything else?"),
    ]);
  });

  it("joins several segments of one turn in arrival order", () => {
    const turns = buildObservedTurns({
      human: [],
      agent: [{ startMs: 100, endMs: 3000 }],
      words: [
        { speaker: "agent", text: "second", atMs: 900 },
        { speaker: "agent", text: "first", atMs: 200 },
      ],
      endpointingMs: 700,
    });
    expect(turns).toEqual([turn("agent", 100, 3000, "first second")]);
  });

  it("keeps words of a party never heard as a text-only entry, inventing no turn for it", () => {
    const turns = buildObservedTurns({
      human: [{ startMs: 500, endMs: 1500 }],
      agent: [],
      words: [{ speaker: "agent", text: "I am here", atMs: 4000 }],
      endpointingMs: 700,
    });
    expect(turns).toEqual([turn("human", 500, 1500), turn("agent", 4000, 4000, "I am here", true)]);
    expect(humanTurnIntervals(turns)).toEqual([{ startMs: 500, endMs: 1500 }]);
  });

  it("answers no turns for a call where nobody spoke", () => {
    expect(buildObservedTurns({ human: [], agent: [], words: [], endpointingMs: 700 })).toEqual([]);
  });

  it("refuses a negative endpointing window", () => {
    expect(() => buildObservedTurns({ human: [], agent: [], words: [], endpointingMs: -1 })).toThrow(
      "observe: endpointingMs -1 must be >= 0",
    );
  });
});
