import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** pino's levels, which rtc-node's logger takes; "error" prints errors only, "silent" nothing. */
export const RTC_LOG_LEVELS = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;
export type RtcLogLevel = (typeof RTC_LOG_LEVELS)[number];

/**
 * Sets the level of rtc-node's own logger, for the whole process (the logger is a module
 * singleton, shared by every room in it). Call it from the process's composition root.
 *
 * rtc-node 1.1.0 logs through a private pino logger ("lk-rtc") at level debug unless
 * NODE_ENV=production, writing JSON lines straight to file descriptor 1 — in between `spar run`'s
 * progress and verdict table ("Connect callback received" per room, "ignoring incoming text
 * stream" per agent turn). It offers no setting for it; its ESM entry re-exports the CommonJS
 * build, whose logger is `dist/log.cjs`, so requiring that very file reaches the same instance.
 * The native (Rust) side's logs need nothing: rtc-node initializes its FFI with capture_logs on
 * and drops the batches it captures, so they never print, whatever RUST_LOG says.
 *
 * Returns false when this rtc-node has no such logger (another layout after an upgrade): calls
 * still work, and rtc-log-level.test.ts fails, which is where that should surface.
 */
export function setRtcLogLevel(level: RtcLogLevel): boolean {
  const require = createRequire(import.meta.url);
  let logger: unknown;
  try {
    const entry = require.resolve("@livekit/rtc-node"); // …/dist/index.cjs
    const module: { log?: unknown } = require(join(dirname(entry), "log.cjs"));
    logger = module.log;
  } catch {
    return false;
  }
  if (typeof logger !== "object" || logger === null || !("level" in logger)) return false;
  Reflect.set(logger, "level", level);
  return true;
}
