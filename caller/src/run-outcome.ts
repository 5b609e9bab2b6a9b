import type { EndedBy, EndedReason, TranscriptEntry } from "@spar/protocol";

/** What the run produced, for assertions. */
export interface RunOutcome {
  status: "completed" | "failed";
  endedReason: EndedReason;
  endedBy: EndedBy;
  transcript: readonly TranscriptEntry[];
  metadata: Readonly<Record<string, unknown>>;
}
