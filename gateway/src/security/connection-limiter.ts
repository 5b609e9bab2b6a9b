/**
 * Open long-lived connections (SSE streams) per key. Entries exist only while a key holds a
 * connection, so memory is bounded by open connections.
 */
import { AppError } from "@spar/protocol";

export interface ConnectionLimiter {
  /** A release function, or undefined when the key already holds `maxPerKey` connections. */
  acquire(key: string): (() => void) | undefined;
  count(key: string): number;
  /** Keys currently holding a connection. */
  readonly size: number;
}

export function createConnectionLimiter(options: { maxPerKey: number }): ConnectionLimiter {
  const { maxPerKey } = options;
  if (!(maxPerKey >= 1)) throw new AppError("config_invalid", "connection limit: maxPerKey must be ≥ 1");
  const open = new Map<string, number>();
  return {
    acquire(key) {
      const held = open.get(key) ?? 0;
      if (held >= maxPerKey) return undefined;
      open.set(key, held + 1);
      let released = false;
      // Idempotent: a stream's close and abort paths may both release.
      return () => {
        if (released) return;
        released = true;
        const remaining = (open.get(key) ?? 1) - 1;
        if (remaining === 0) open.delete(key);
        else open.set(key, remaining);
      };
    },
    count(key) {
      return open.get(key) ?? 0;
    },
    get size() {
      return open.size;
    },
  };
}
