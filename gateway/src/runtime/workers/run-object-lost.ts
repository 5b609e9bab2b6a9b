/** The error of a run whose Durable Object was reset or evicted while it held the agent socket. */
export const RUN_OBJECT_LOST = "the run's Durable Object was reset; its agent connection was lost";
