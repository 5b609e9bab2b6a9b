import type { ReferenceVoiceBotOptions } from "../reference-voice-bot/index.ts";
import { metadataRunIdSchema, metadataTextModeSchema } from "./contracts.ts";
import { type CallEnd, type ParticipantLister, watchRoom } from "./room-watch.ts";

/** How the bot got into its room: one per vendor contract. */
export type EntryMode = "create_and_join" | "session" | "token" | "dispatch";

/** What the bot options hook learns about a call before the bot starts. */
export interface BotCall {
  mode: EntryMode;
  roomName: string;
  /** The bot's identity in the room. */
  identity: string;
  /** The platform's run id, when the request or dispatch carried one. */
  rubricRunId: string | undefined;
  /** The dispatch (or request) asked for a text-only chat (`text_mode: true`). */
  textMode: boolean;
  /** Everything else the request or dispatch carried: `metadata`, extra token fields, dispatch JSON. */
  metadata: Record<string, unknown>;
}

/** Reference bot options apart from where to connect, which the runner supplies per call. */
export type BotSettings = Partial<Omit<ReferenceVoiceBotOptions, "url" | "token">>;
export type BotOptionsHook = (call: BotCall) => BotSettings;

/** The port the runner starts bots through; `startReferenceVoiceBot` by default. */
export type StartBot = (options: ReferenceVoiceBotOptions) => Promise<{ close(): Promise<void> }>;

/** A reply this long after the caller stops: a polite, clearly measurable bot. */
export const DEFAULT_LATENCY_MS = 600;

export function botCallOf(
  mode: EntryMode,
  roomName: string,
  identity: string,
  metadata: Record<string, unknown>,
  rubricRunId?: string,
): BotCall {
  // Each field on its own: a malformed text_mode must not hide a good run id, and neither is guessed.
  const runId = metadataRunIdSchema.safeParse(metadata.rubric_run_id);
  const textMode = metadataTextModeSchema.safeParse(metadata.text_mode);
  return {
    mode,
    roomName,
    identity,
    rubricRunId: rubricRunId ?? (runId.success ? runId.data : undefined),
    textMode: textMode.success ? textMode.data : false,
    metadata,
  };
}

export interface BotFleetOptions {
  startBot: StartBot;
  bot: BotSettings;
  botOptionsFor: BotOptionsHook | undefined;
  /** A Server API client for the bot's LiveKit URL (to see when the call is over). */
  listerFor(url: string): ParticipantLister;
  pollMs: number;
  maxCallMs: number;
  maxBots: number;
  log(line: string): void;
  onBotEnded?(call: BotCall, reason: CallEnd | "runner_closed"): void;
}

export class FleetFullError extends Error {}

/** The bots one runner started: each is stopped when its call ends, all of them on close(). */
export class BotFleet {
  readonly #options: BotFleetOptions;
  readonly #bots = new Set<{ call: BotCall; stop(reason: CallEnd | "runner_closed"): Promise<void> }>();
  /** Bots still joining, by room and identity: a retried request must not start a second one. */
  readonly #joining = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(options: BotFleetOptions) {
    this.#options = options;
  }

  get running(): BotCall[] {
    return [...this.#bots].map((b) => b.call);
  }

  /** True when a bot this runner started is in `roomName` as `identity` (a retried request). */
  has(roomName: string, identity: string): boolean {
    return (
      this.#joining.has(keyOf(roomName, identity)) ||
      [...this.#bots].some((b) => b.call.roomName === roomName && b.call.identity === identity)
    );
  }

  /** Resolves once the bot is in the room (so the caller finds it there); rejects if it cannot join. */
  async start(call: BotCall, where: { url: string; token: string }): Promise<void> {
    const o = this.#options;
    if (this.#closed) throw new FleetFullError("this runner is shutting down");
    if (this.#bots.size + this.#joining.size >= o.maxBots) {
      throw new FleetFullError(`this runner already runs ${o.maxBots} bots; try again when a call ends`);
    }
    const key = keyOf(call.roomName, call.identity);
    const joining = this.#join(call, where);
    this.#joining.set(key, joining);
    try {
      await joining;
    } finally {
      this.#joining.delete(key);
    }
  }

  async #join(call: BotCall, where: { url: string; token: string }): Promise<void> {
    const o = this.#options;
    const bot = await o.startBot({
      latencyMs: DEFAULT_LATENCY_MS,
      ...o.bot,
      ...o.botOptionsFor?.(call),
      url: where.url,
      token: where.token,
    });
    if (this.#closed) {
      await bot.close();
      throw new FleetFullError("this runner shut down while the bot was joining");
    }
    let stopping: Promise<void> | undefined;
    const entry = {
      call,
      stop: (reason: CallEnd | "runner_closed") => {
        stopping ??= (async () => {
          watch.stop();
          this.#bots.delete(entry);
          o.log(`bot ${call.identity} in ${call.roomName} (${call.mode}) stops: ${reason}`);
          await bot
            .close()
            .catch((err: unknown) => o.log(`bot ${call.identity} did not close cleanly: ${String(err)}`));
          o.onBotEnded?.(call, reason);
        })();
        return stopping;
      },
    };
    const watch = watchRoom({
      lister: o.listerFor(where.url),
      room: call.roomName,
      botIdentity: call.identity,
      pollMs: o.pollMs,
      maxCallMs: o.maxCallMs,
      onEnded: (reason) => void entry.stop(reason),
      onWatchRefused: (message) =>
        o.log(`cannot watch ${call.roomName} (${message}); the bot leaves after ${o.maxCallMs} ms`),
    });
    this.#bots.add(entry);
    o.log(`bot ${call.identity} joined ${call.roomName} (${call.mode})`);
  }

  async closeAll(): Promise<void> {
    this.#closed = true;
    // A bot still joining closes itself once it is in (see #join).
    await Promise.allSettled([...this.#joining.values()]);
    await Promise.all([...this.#bots].map((b) => b.stop("runner_closed")));
  }
}

function keyOf(roomName: string, identity: string): string {
  return JSON.stringify([roomName, identity]);
}
