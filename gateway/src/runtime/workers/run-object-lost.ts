/** The error of a run whose Durable Object was reset or evicted while it held the agent socket. */
export const RUN_OBJECT_LOST = "the run's Durable Object was reset; its agent connection was lost";

/** The error of a run still queued long after it was created: its Durable Object never got it. */
export const RUN_NEVER_STARTED =
  "the run never reached its Durable Object (the Worker stopped while submitting it)";
