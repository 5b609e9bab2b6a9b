/** Live transcript entries (the gateway's run events) against the reference agent's real socket. */
import type { TranscriptEntry } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { useReferenceAgent } from "./reference-run.ts";

const run = useReferenceAgent();

describe("a text run's live transcript", () => {
  it("reports every entry as it is recorded, in the order of the final transcript", async () => {
    const live: TranscriptEntry[] = [];
    const r = await run(
      {
        script: [
          { say: "I'd like to pay my bill" },
          { expect: "account number", dtmf: "12345#" },
          { expect: "/confirm/i", say: "yes" },
          { wait_for_end: true },
        ],
      },
      { deps: { onTranscript: (e) => live.push(e) } },
    );
    expect(r.passed).toBe(true);
    expect(live.map((e) => [e.role, e.content, e.data?.name])).toEqual(
      r.transcript.map((e) => [e.role, e.content, e.data?.name]),
    );
    expect(live).toHaveLength(10);
  });
});
