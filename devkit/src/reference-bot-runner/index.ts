export {
  type BotCall,
  type BotOptionsHook,
  type BotSettings,
  DEFAULT_LATENCY_MS,
  type EntryMode,
  type StartBot,
} from "./bot-fleet.ts";
export {
  COVAL_TOKEN_RESPONSE,
  createAndJoinRequestSchema,
  createAndJoinResponseSchema,
  sessionRequestSchema,
  sessionResponseSchema,
  TOKEN_FIELDS,
  type TokenResponseShape,
  tokenRequestSchema,
} from "./contracts.ts";
export { JOIN_TOKEN_TTL_S, mintJoinToken } from "./livekit-tokens.ts";
export {
  dispatchMetadataOf,
  type ReferenceBotAgentOptions,
  referenceBotAgent,
} from "./reference-bot-agent.ts";
export type { CallEnd } from "./room-watch.ts";
export {
  type ReferenceBotRunner,
  type ReferenceBotRunnerOptions,
  RUBRIC_CALLER_IDENTITY,
  startReferenceBotRunner,
} from "./start-reference-bot-runner.ts";
export {
  DEFAULT_AGENT_FILE,
  type ReferenceBotWorker,
  type ReferenceBotWorkerOptions,
  startReferenceBotWorker,
} from "./start-reference-bot-worker.ts";
