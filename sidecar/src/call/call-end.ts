import type { EndedBy, EndedReason, FinalRunStatus } from "@spar/protocol";

/** How a call ended: the run's status, reason and who ended it, with a detail for people. */
export interface CallEnd {
  status: FinalRunStatus;
  reason: EndedReason;
  endedBy: EndedBy;
  /** Failures and failed expectations: what happened, for the report. */
  detail?: string;
}

/** Thrown inside the call flow to unwind every pending wait at once; never escapes the runner. */
export class CallEnded extends Error {
  constructor(readonly end: CallEnd) {
    super(end.detail ?? end.reason);
  }
}

export const failed = (reason: EndedReason, detail: string): CallEnd => ({
  status: "failed",
  reason,
  endedBy: "platform",
  detail,
});
