// The voice job contracts live in protocol/src/voice-job.ts, which protocol/src/index.ts does
// not re-export yet (the integrator adds it). Until then this is the one place that reaches into
// the protocol package by path; afterwards it becomes `export * from "@spar/protocol"` or goes away.
export * from "../../../protocol/src/voice-job.ts";
