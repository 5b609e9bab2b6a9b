import type { EndedBy, EndedReason, FinalRunStatus, TranscriptEntry } from "@spar/protocol";

/** What the run produced, for assertions. */
export interface RunOutcome {
  status: FinalRunStatus;
  endedReason: EndedReason;
  endedBy: EndedBy;
  transcript: readonly TranscriptEntry[];
  metadata: Readonly<Record<string, unknown>>;
}
