/** Size bounds shared by every edge; each is part of the contract, not a tuning knob. */

/** Largest agent→platform frame accepted (docs/text-protocol.md § Limits): bigger ends the run `protocol_error`. */
export const MAX_AGENT_FRAME_BYTES = 256 * 1024;

/** How much of an unusable frame is quoted in a `protocol_error` detail. */
export const PROTOCOL_ERROR_QUOTE_BYTES = 500;

/** Longest value of a forwarded `X-*` metadata header. */
export const MAX_FORWARDED_HEADER_VALUE_BYTES = 1024;

/** Largest suite file read from disk or accepted over the API. */
export const MAX_SUITE_FILE_BYTES = 1024 * 1024;

/** Most runs (scenarios × repeat, across suites) one batch plans: `spar run` refuses more. */
export const MAX_PLANNED_RUNS = 10_000;
