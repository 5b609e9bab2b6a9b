/**
 * Gives the JavaScript thread precedence over the process's media threads (Linux).
 *
 * The JavaScript thread paces every call's microphone and reads every call's received audio;
 * rtc-node adds per-call media threads (encoder, capture, playout) that all wake on the same
 * 10 ms tick. At 20 calls on 2 cores the JavaScript thread was measured waiting ~370 ms per
 * second for a CPU behind them, in bursts of 200–400 ms, enough to run a 500 ms microphone queue
 * dry. Linux keeps niceness per thread, and a process may always lower the priority of its own
 * threads: this keeps every thread but the main one at `nice` (threads come and go with calls,
 * so it re-checks every `intervalMs`). Media threads have their own slack (jitter buffers on
 * the far side); a starved microphone loop is an audible gap.
 *
 * Opt-in (SPAR_MEDIA_THREADS_NICE for the sidecar; `--media-threads-nice` in bench/voice-load).
 */
import { readdirSync } from "node:fs";
import { getPriority, setPriority } from "node:os";

export interface ThreadPriorityHandle {
  stop(): void;
}

/** Keeps every thread of this process except the main (JavaScript) one at niceness `nice`. */
export function lowerMediaThreads(nice: number, intervalMs = 200): ThreadPriorityHandle {
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) {
    throw new Error(`media threads' niceness must be an integer from -20 to 19; got ${nice}`);
  }
  if (process.platform !== "linux") return { stop() {} };
  const apply = () => {
    let tids: string[];
    try {
      tids = readdirSync("/proc/self/task");
    } catch {
      return;
    }
    for (const tid of tids) {
      const id = Number(tid);
      if (id === process.pid) continue;
      try {
        if (getPriority(id) !== nice) setPriority(id, nice);
      } catch {
        // The thread ended meanwhile, or raising its priority is not permitted here.
      }
    }
  };
  apply();
  const timer = setInterval(apply, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
