/**
 * Every OpenTelemetry name the sidecar emits: span names, metric names and attribute keys.
 * One file so dashboards and alerts have a single place to look, and so personal data is
 * marked where it is declared.
 */

// Span names. A run span is the root; stage and turn spans are its descendants.
export const SPAN_RUN = "spar.run";
/** Followed by the stage: `spar.stage.room_entry`, `spar.stage.connect`, ... */
export const SPAN_STAGE_PREFIX = "spar.stage.";
export const SPAN_TURN = "spar.turn";

// Metric names (UCUM units are given where each instrument is created).
export const METRIC_TURN_LATENCY = "spar.turn.latency";
export const METRIC_INTERRUPTIONS = "spar.interruptions";
export const METRIC_CALL_DURATION = "spar.call.duration";
export const METRIC_ACTIVE_CALLS = "spar.calls.active";

// Attribute keys.
export const ATTR_RUN_ID = "spar.run.id";
export const ATTR_SCENARIO_ID = "spar.scenario.id";
export const ATTR_AGENT_ID = "spar.agent.id";
export const ATTR_CONNECTION_MODE = "spar.connection.mode";
export const ATTR_RUN_STATUS = "spar.run.status";
export const ATTR_ENDED_REASON = "spar.run.ended_reason";
export const ATTR_STAGE = "spar.stage";
export const ATTR_STAGE_OK = "spar.stage.ok";
export const ATTR_STAGE_FAILURE_REASON = "spar.stage.failure_reason";
export const ATTR_TURN_INDEX = "spar.turn.index";
export const ATTR_TURN_ROLE = "spar.turn.role";
export const ATTR_TURN_LATENCY_MS = "spar.turn.latency_ms";
export const ATTR_INTERRUPTION_BY = "spar.interruption.by";
/**
 * PERSONAL DATA: what a participant said. Exported only when the operator opts in
 * (`SPAR_OTEL_INCLUDE_TRANSCRIPTS=true`); never by default.
 */
export const ATTR_TURN_TEXT = "spar.turn.text";

/** Attribute keys that carry personal data; the facade drops them unless told otherwise. */
export const PERSONAL_DATA_ATTRIBUTES: ReadonlySet<string> = new Set([ATTR_TURN_TEXT]);
