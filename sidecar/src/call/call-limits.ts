import { DEFAULT_ENDPOINTING_MS } from "./agent-speech.ts";

/** Every stage's bound (docs/suite-file.md § How a voice call runs), in ms. */
export interface CallLimits {
  /** Caller connects and publishes its microphone → else `connection_failed`. */
  connectMs: number;
  /** The agent joins → else `agent_never_joined`. */
  agentJoinMs: number;
  /** The agent's first audio after each caller turn (and `wait_for_end`) → else `agent_timeout`. */
  turnTimeoutMs: number;
  /** Whole call → `max_duration`. */
  maxDurationMs: number;
  /** After joining, how long the caller waits for the agent to greet before speaking first. */
  greetingWaitMs: number;
  /** Silence after the agent's last speech frame that ends its turn. */
  endpointingMs: number;
  /** One synthesis or one caller-brain decision. */
  stepMs: number;
}

export const DEFAULT_CALL_LIMITS: CallLimits = {
  connectMs: 20_000,
  agentJoinMs: 30_000,
  turnTimeoutMs: 30_000,
  maxDurationMs: 600_000,
  greetingWaitMs: 2_000,
  endpointingMs: DEFAULT_ENDPOINTING_MS,
  stepMs: 30_000,
};
