/** Moved to @spar/protocol so text and voice metrics share one percentile definition. */
export { mean, percentile } from "@spar/protocol";
