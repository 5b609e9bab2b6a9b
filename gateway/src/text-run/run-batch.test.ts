import { parseSuite, type Suite } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { countPlannedRuns, planBatch } from "./run-batch.ts";

function suite(tree: unknown): Suite {
  const r = parseSuite(tree);
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.suite;
}

const a = suite({
  version: 1,
  agent: { id: "a", text: { url: "ws://127.0.0.1:1/ws", secret: "s" } },
  defaults: { repeat: 3 },
  scenarios: [
    { id: "one", tags: ["smoke"], script: [{ say: "hi" }] },
    { id: "two", repeat: 5, script: [{ say: "hi" }] },
  ],
});
const b = suite({
  version: 1,
  agent: { id: "b", text: { url: "ws://127.0.0.1:1/ws", secret: "s" } },
  scenarios: [{ id: "three", tags: ["smoke"], script: [{ say: "hi" }] }],
});
const suites = [
  { name: "a.yaml", suite: a },
  { name: "b.yaml", suite: b },
];

describe("countPlannedRuns", () => {
  it("counts scenarios × repeat across suites, as planBatch plans them, under each filter", () => {
    for (const filter of [{}, { tags: ["smoke"] }, { only: ["two"] }, { only: ["nope"] }]) {
      expect(countPlannedRuns(suites, filter)).toBe(planBatch(suites, filter).length);
    }
    expect(countPlannedRuns(suites)).toBe(9);
    expect(countPlannedRuns(suites, { tags: ["smoke"] })).toBe(4);
  });
});
