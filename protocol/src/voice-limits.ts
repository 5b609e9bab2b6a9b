import { z } from "zod";

/** Longest voice call a run may ask for: a job's `max_duration_s` bound (voice-job.ts). */
export const MAX_VOICE_DURATION_S = 3600;
/** Longest wait for the agent to join a voice call. */
export const MAX_AGENT_JOIN_TIMEOUT_S = 600;

/**
 * A voice channel's own limits (spec/voice-livekit.md § Timeouts): the whole call and the wait
 * for the agent to join, in whole seconds; absent = the defaults (600 s and 30 s).
 */
export const voiceLimitFields = {
  max_duration_s: z
    .number()
    .int(`must be a whole number of seconds, 1 to ${MAX_VOICE_DURATION_S}`)
    .min(1, `must be a whole number of seconds, 1 to ${MAX_VOICE_DURATION_S}`)
    .max(MAX_VOICE_DURATION_S, `must be a whole number of seconds, 1 to ${MAX_VOICE_DURATION_S}`)
    .optional(),
  agent_join_timeout_s: z
    .number()
    .int(`must be a whole number of seconds, 1 to ${MAX_AGENT_JOIN_TIMEOUT_S}`)
    .min(1, `must be a whole number of seconds, 1 to ${MAX_AGENT_JOIN_TIMEOUT_S}`)
    .max(MAX_AGENT_JOIN_TIMEOUT_S, `must be a whole number of seconds, 1 to ${MAX_AGENT_JOIN_TIMEOUT_S}`)
    .optional(),
};
export interface VoiceLimitSettings {
  max_duration_s?: number | undefined;
  agent_join_timeout_s?: number | undefined;
}

/** Only the limits a voice channel sets (so an absent one stays absent when stored). */
export function voiceLimitsOf(voice: VoiceLimitSettings): VoiceLimitSettings {
  return {
    ...(voice.max_duration_s === undefined ? {} : { max_duration_s: voice.max_duration_s }),
    ...(voice.agent_join_timeout_s === undefined ? {} : { agent_join_timeout_s: voice.agent_join_timeout_s }),
  };
}
