/**
 * Drives the text session core for its tests: events in order, every effect kept, the clock is
 * whatever each event's `at` says.
 */
import { initialState, step } from "./session-core.ts";
import {
  DEFAULT_SESSION_CONFIG,
  type SessionConfig,
  type SessionEffect,
  type SessionEvent,
  type SessionResult,
  type SessionState,
} from "./session-types.ts";

export function drive(events: SessionEvent[], config: Partial<SessionConfig> = {}) {
  let state: SessionState = initialState({ ...DEFAULT_SESSION_CONFIG, ...config });
  const effects: SessionEffect[] = [];
  for (const e of events) {
    const out = step(state, e);
    state = out.state;
    effects.push(...out.effects);
  }
  const finish = effects.find((e): e is Extract<SessionEffect, { type: "finish" }> => e.type === "finish");
  return { state, effects, result: finish?.result as SessionResult | undefined };
}

export const start: SessionEvent = { type: "start", at: 1000 };
export const connected = (at = 1010): SessionEvent => ({ type: "connected", at });
export const say = (at: number, text: string): SessionEvent => ({
  type: "caller_move",
  at,
  move: { kind: "say", text },
});
export const frame = (at: number, data: unknown): SessionEvent => ({
  type: "frame",
  at,
  data: typeof data === "string" ? data : JSON.stringify(data),
});
export const timer = (at: number, t: Extract<SessionEvent, { type: "timer" }>["timer"]): SessionEvent => ({
  type: "timer",
  at,
  timer: t,
});
