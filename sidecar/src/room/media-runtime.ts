import { dispose } from "@livekit/rtc-node";

/**
 * Shuts rtc-node's native runtime down. Call once, after the last call of a process: its FFI
 * threads otherwise keep a finished CLI process alive.
 */
export function disposeMediaRuntime(): Promise<void> {
  return dispose();
}
