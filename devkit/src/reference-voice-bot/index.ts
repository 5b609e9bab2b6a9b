export { type AudibleSpan, audibleSpan, CRITICAL_BAND_EDGES_HZ } from "./audible-speech.ts";
export {
  type BargeInPolicy,
  BOT_VAD_HYSTERESIS,
  DEFAULT_LINES,
  type ReferenceVoiceBotOptions,
} from "./bot-options.ts";
export {
  CHAT_TOPIC,
  type ChatModeOptions,
  type ChatTruth,
  textModeRequested,
} from "./chat-mode.ts";
export { checkLatencyPlan, type LatencyPlan, latencyForTurn } from "./latency-plan.ts";
export {
  type EventMatch,
  interruptionErrors,
  type LatencyError,
  latencyErrors,
  matchEvents,
  stopTimeErrors,
} from "./metric-errors.ts";
export {
  activeSpeechLevel,
  checkNoiseBedOptions,
  createNoiseBed,
  NOISE_KINDS,
  type NoiseBedOptions,
  type NoiseKind,
} from "./noise-bed.ts";
export { OutputStage } from "./output-stage.ts";
export { ReceiveClock } from "./receive-clock.ts";
export {
  findReceivedSpeech,
  matchTransit,
  type OracleOptions,
  type ReceivedSpeech,
  type TransitMatch,
} from "./received-speech.ts";
export { type ReferenceVoiceBot, startReferenceVoiceBot } from "./reference-voice-bot.ts";
export {
  type AlignedEdge,
  type AlignmentOptions,
  alignSentEdges,
  type SentEdge,
} from "./sent-speech-alignment.ts";
export { TRANSCRIPTION_TOPIC } from "./transcription-writer.ts";
export type { CallerSpeechTruth, UtteranceTruth } from "./truth.ts";
export { BOT_SAMPLE_RATE } from "./voice-lines.ts";
