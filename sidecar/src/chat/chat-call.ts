/**
 * The chat call's shell: feeds the core (chat-core.ts) events stamped with the injected clock and
 * carries out its effects with the clock's timers, the caller brain and a ChatRoom. One call, one
 * promise that always resolves with the core's result (never hangs: `max_duration` bounds it).
 */
import type { CallerBrain } from "@spar/caller";
import type { VoiceRunEventBody } from "@spar/protocol";
import type { Clock } from "../media/clock.ts";
import { initialChatState, stepChat } from "./chat-core.ts";
import type { ChatRoom, ChatRoomConnector, ChatRoomEvent } from "./chat-room.ts";
import type { ChatConfig, ChatEffect, ChatEvent, ChatResult, ChatTimer } from "./chat-types.ts";

export interface ChatCallInput {
  url: string;
  token: string;
  brain: CallerBrain;
  config: ChatConfig;
  /** Published once (reliable, JSON) when the agent is in the room; see DATA_MESSAGE_TOPIC. */
  dataMessage?: Record<string, unknown>;
}

export interface ChatCallDeps {
  connector: ChatRoomConnector;
  clock: Clock;
  /** Run events as they happen (the sidecar's job event stream); the CLI passes a no-op. */
  emit: (event: VoiceRunEventBody) => void;
  signal: AbortSignal;
}

const message = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

export function runChatCall(input: ChatCallInput, deps: ChatCallDeps): Promise<ChatResult> {
  const { clock } = deps;
  const stop = new AbortController();
  const timers = new Map<ChatTimer, () => void>();
  let state = initialChatState(input.config);
  let room: ChatRoom | undefined;
  let resolve: (result: ChatResult) => void = () => undefined;
  const finished = new Promise<ChatResult>((r) => {
    resolve = r;
  });

  // Events are handled one at a time, in order: an effect's own events are queued behind it.
  const queue: ChatEvent[] = [];
  let draining = false;
  const dispatch = (event: ChatEvent) => {
    queue.push(event);
    if (draining) return;
    draining = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const out = stepChat(state, next);
        state = out.state;
        for (const effect of out.effects) perform(effect);
      }
    } finally {
      draining = false;
    }
  };
  const now = () => clock.now();

  // Events from before `connect` resolved wait for the `connected` event, in their order.
  let held: ChatEvent[] | undefined = [];
  const onRoomEvent = (event: ChatRoomEvent) => {
    const stamped: ChatEvent = { ...event, at: now() };
    if (held) held.push(stamped);
    else dispatch(stamped);
  };

  function perform(effect: ChatEffect): void {
    switch (effect.type) {
      case "connect":
        deps.connector
          .connect({ url: input.url, token: input.token, onEvent: onRoomEvent, signal: stop.signal })
          .then(
            (joined) => {
              room = joined;
              // Ended meanwhile (connect limit, interrupt): the late room is left at once.
              if (state.phase === "done") void joined.leave();
              dispatch({
                type: "connected",
                at: now(),
                roomName: joined.roomName,
                participants: joined.remoteIdentities(),
              });
              const early = held ?? [];
              held = undefined;
              for (const event of early) dispatch(event);
            },
            (cause: unknown) => dispatch({ type: "connect_failed", at: now(), detail: message(cause) }),
          );
        return;
      case "publish_data_message":
        room?.publishDataMessage(JSON.stringify(input.dataMessage ?? {})).catch((cause: unknown) =>
          dispatch({
            type: "send_failed",
            at: now(),
            detail: `could not publish publish_data_message: ${message(cause)}`,
          }),
        );
        return;
      case "send_chat":
        room?.sendChat(effect.text).catch((cause: unknown) =>
          dispatch({
            type: "send_failed",
            at: now(),
            detail: `could not send on lk.chat: ${message(cause)}`,
          }),
        );
        return;
      case "set_timer": {
        timers.get(effect.timer)?.();
        const timer = effect.timer;
        timers.set(
          timer,
          clock.setTimer(effect.dueAt, () => dispatch({ type: "timer", at: now(), timer })),
        );
        return;
      }
      case "clear_timer":
        timers.get(effect.timer)?.();
        timers.delete(effect.timer);
        return;
      case "ask_caller":
        input.brain.next(effect.view, stop.signal).then(
          (move) => dispatch({ type: "caller_move", at: now(), move }),
          (cause: unknown) => dispatch({ type: "caller_failed", at: now(), detail: message(cause) }),
        );
        return;
      case "emit":
        try {
          deps.emit(effect.event);
        } catch {
          // A listener fault must not stop the call.
        }
        return;
      case "leave":
        for (const cancel of timers.values()) cancel();
        timers.clear();
        stop.abort();
        deps.signal.removeEventListener("abort", onAbort);
        return;
      case "finish": {
        const result = effect.result;
        // The room is left before the result is handed over, so the caller is gone when it is read.
        void (room?.leave() ?? Promise.resolve()).then(() => resolve(result));
        return;
      }
    }
  }

  const onAbort = () => dispatch({ type: "interrupt", at: now(), detail: "the run was interrupted" });
  if (deps.signal.aborted) queueMicrotask(onAbort);
  else deps.signal.addEventListener("abort", onAbort, { once: true });
  dispatch({ type: "start", at: now() });
  return finished;
}
