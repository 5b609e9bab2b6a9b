export * from "./latency-summary.ts";
export * from "./run-batch.ts";
export * from "./run-text-scenario.ts";
