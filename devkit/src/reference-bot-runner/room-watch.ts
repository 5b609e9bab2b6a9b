/**
 * Decides when a bot the runner started is done: LiveKit does not tell a participant's owner
 * that the call is over, so the runner asks the Server API (ListParticipants) every few seconds.
 * The decision is a pure step over what each poll saw; the loop around it only polls and times.
 */
import { TwirpError } from "livekit-server-sdk";

export type CallEnd = "room_gone" | "bot_left" | "caller_left" | "max_call";

export interface WatchState {
  botSeen: boolean;
  /** Someone other than the bot was in the room at some poll. */
  othersSeen: boolean;
}

/** A watch starts once the bot's connect resolved: the bot is in the room from the first poll. */
export const INITIAL_WATCH: WatchState = { botSeen: true, othersSeen: false };

/**
 * One poll's verdict: the bot's absence ends the call (an empty room: it is gone), and once
 * another participant was seen, the room holding nobody but the bot ends it too.
 */
export function watchStep(
  state: WatchState,
  identities: readonly string[],
  botIdentity: string,
): { state: WatchState; ended: CallEnd | undefined } {
  const botHere = identities.includes(botIdentity);
  const othersHere = identities.some((i) => i !== botIdentity);
  const next = { botSeen: state.botSeen || botHere, othersSeen: state.othersSeen || othersHere };
  if (state.botSeen && !botHere)
    return { state: next, ended: identities.length === 0 ? "room_gone" : "bot_left" };
  if (next.othersSeen && botHere && !othersHere) return { state: next, ended: "caller_left" };
  return { state: next, ended: undefined };
}

/** The Server API call the watch needs (RoomServiceClient has it). */
export interface ParticipantLister {
  listParticipants(room: string): Promise<readonly { identity: string }[]>;
}

export interface RoomWatchOptions {
  lister: ParticipantLister;
  room: string;
  botIdentity: string;
  pollMs: number;
  /** The call ends `max_call` after this long, whatever the polls say. */
  maxCallMs: number;
  onEnded(reason: CallEnd): void;
  /** Told once when the server refuses the watch's credentials; the bot then ends at `maxCallMs`. */
  onWatchRefused?(message: string): void;
}

/** Polls until the call ends (calling `onEnded` once) or `stop()` is called. */
export function watchRoom(options: RoomWatchOptions): { stop(): void } {
  let state = INITIAL_WATCH;
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;
  const end = (reason: CallEnd) => {
    if (stopped) return;
    stop();
    options.onEnded(reason);
  };
  const stop = () => {
    stopped = true;
    clearTimeout(pollTimer);
    clearTimeout(maxTimer);
  };
  const maxTimer = setTimeout(() => end("max_call"), options.maxCallMs);
  const poll = async () => {
    try {
      const participants = await options.lister.listParticipants(options.room);
      if (stopped) return;
      const step = watchStep(
        state,
        participants.map((p) => p.identity),
        options.botIdentity,
      );
      state = step.state;
      if (step.ended) return end(step.ended);
    } catch (err) {
      if (stopped) return;
      if (err instanceof TwirpError && err.status === 404) return end("room_gone");
      // Credentials this server refuses will not start working: only max_call ends the bot now.
      if (err instanceof TwirpError && (err.status === 401 || err.status === 403)) {
        options.onWatchRefused?.(`${err.status} ${err.message}`);
        return;
      }
    }
    if (!stopped) pollTimer = setTimeout(() => void poll(), options.pollMs);
  };
  pollTimer = setTimeout(() => void poll(), options.pollMs);
  return { stop };
}
