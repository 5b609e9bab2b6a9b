import { z } from "zod";
import { RTC_LOG_LEVELS } from "../room/rtc-log-level.ts";

/** Everything the sidecar process is configured with, decoded from its environment once. */
export const sidecarEnvSchema = z.object({
  /** Shared secret the gateway sends as a bearer token. */
  SPAR_SIDECAR_TOKEN: z.string().min(16, "must be at least 16 characters (use a random secret)").max(4096),
  SPAR_SIDECAR_HOST: z.string().default("127.0.0.1"),
  SPAR_SIDECAR_PORT: z.coerce.number().int().min(0).max(65_535).default(8790),
  /** libSQL URL of the outbox file; must survive restarts (a volume in a container). */
  SPAR_OUTBOX_URL: z
    .string()
    .startsWith("file:", "must be a file: URL, e.g. file:/var/lib/spar/outbox.db")
    .default("file:.spar/sidecar-outbox.db"),
  /** Where results go when a job names no result_url. */
  SPAR_RESULT_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** Sent as `Authorization: Bearer` with every result delivery. */
  SPAR_RESULT_TOKEN: z.string().min(1).max(4096).optional(),
  SPAR_MAX_CONCURRENT_CALLS: z.coerce.number().int().min(1).max(256).default(4),
  SPAR_RETRY_AFTER_S: z.coerce.number().int().min(1).max(3600).default(5),
  /**
   * Niceness for every thread but the JavaScript one (room/event-loop-priority.ts), e.g. 5: the
   * thread that paces every microphone then wins the CPU on a busy box. Unset = unchanged.
   */
  SPAR_MEDIA_THREADS_NICE: z.coerce.number().int().min(-20).max(19).optional(),
  /**
   * Level of rtc-node's own JSON log lines on stdout (room/rtc-log-level.ts): its default, debug,
   * logs every room connect and every agent transcription it ignores; errors only unless asked.
   */
  SPAR_RTC_LOG_LEVEL: z.enum(RTC_LOG_LEVELS).default("error"),
  /** Which VoiceCallRunner to run calls with. */
  SPAR_RUNNER: z.string().min(1).default("livekit"),
});
export type SidecarEnv = z.infer<typeof sidecarEnvSchema>;

/** Decodes the environment; the error names the variable and the rule, never a value. */
export function sidecarConfigFromEnv(env: Readonly<Record<string, string | undefined>>): SidecarEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = sidecarEnvSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
  throw new Error(`sidecar configuration is invalid:\n${lines.join("\n")}`);
}
