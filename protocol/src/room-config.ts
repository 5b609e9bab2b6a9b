/**
 * LiveKit room options of a "we create rooms" (`rubric`) channel (spec/voice-livekit.md § Room
 * options): only these keys are forwarded to CreateRoom. A known key with the wrong type is a
 * config error; any other key is kept as written but ignored, and said so in API responses.
 */
import { z } from "zod";

/** One message for every way a number can be wrong: the rule and the unit. */
function integerIn(min: number, max: number, unit: string) {
  const error = `must be an integer from ${min} to ${max} (${unit})`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}
const seconds = integerIn(0, 86_400, "seconds");
const millis = integerIn(0, 60_000, "milliseconds");

/** The forwarded keys and the type each must have. */
export const ROOM_CONFIG_FIELDS = {
  empty_timeout: seconds,
  departure_timeout: seconds,
  max_participants: integerIn(1, 1000, "participants"),
  /** A string, or an object that is JSON-encoded before it is sent. */
  metadata: z.union([z.string().max(65_536), z.record(z.string(), z.unknown())], {
    error: "must be a string or an object",
  }),
  min_playout_delay: millis,
  max_playout_delay: millis,
  sync_streams: z.boolean({ error: "must be true or false" }),
  room_preset: z.string({ error: "must be a string" }).min(1, { error: "must not be empty" }).max(256),
} as const;

export const ROOM_CONFIG_KEYS = Object.keys(ROOM_CONFIG_FIELDS) as (keyof typeof ROOM_CONFIG_FIELDS)[];

function isForwarded(key: string): key is keyof typeof ROOM_CONFIG_FIELDS {
  return Object.hasOwn(ROOM_CONFIG_FIELDS, key);
}

/** The keys of `config` that are not forwarded, sorted. */
export function ignoredRoomConfigKeys(config: Record<string, unknown> | undefined): string[] {
  return Object.keys(config ?? {})
    .filter((key) => !isForwarded(key))
    .sort();
}

export const roomConfigSchema = z.record(z.string(), z.unknown()).superRefine((config, ctx) => {
  for (const [key, value] of Object.entries(config)) {
    if (!isForwarded(key)) continue;
    const parsed = ROOM_CONFIG_FIELDS[key].safeParse(value);
    for (const issue of parsed.error?.issues ?? []) {
      ctx.addIssue({ code: "custom", path: [key, ...issue.path], message: issue.message });
    }
  }
});
