/**
 * The registered-worker variant: a `@livekit/agents` agent whose job runs the reference voice bot
 * in the job's room, with the job's URL and token (explicit dispatch by agent name, or automatic
 * dispatch into every new room). Write your own agent file as `export default referenceBotAgent({…})`.
 */
import { defineAgent, type JobContext } from "@livekit/agents";
import { RoomServiceClient } from "livekit-server-sdk";
import { startReferenceVoiceBot } from "../reference-voice-bot/index.ts";
import { BotFleet, type BotOptionsHook, type BotSettings, botCallOf, type StartBot } from "./bot-fleet.ts";
import { readJoinClaims } from "./livekit-tokens.ts";

export interface ReferenceBotAgentOptions {
  bot?: BotSettings;
  /** Per job, from the dispatch metadata (`rubric_run_id`, `text_mode`, anything else). */
  botOptionsFor?: BotOptionsHook;
  /** How often the Server API is asked whether the call is over (default 2000 ms). */
  pollMs?: number;
  /** The bot leaves after this long whatever happens (default 15 minutes). */
  maxCallMs?: number;
  startBot?: StartBot;
}

/**
 * A dispatch's metadata as the hook sees it: a JSON object as is (`{"rubric_run_id": 179}`),
 * any other text under `dispatch_metadata`, nothing as `{}`.
 */
export function dispatchMetadataOf(raw: string): Record<string, unknown> {
  if (raw.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) return { ...value };
  } catch {
    // Not JSON: handed on as text below.
  }
  return { dispatch_metadata: raw };
}

export function referenceBotAgent(options: ReferenceBotAgentOptions = {}) {
  return defineAgent({
    entry: async (ctx: JobContext) => {
      const { url, token, apiKey, apiSecret } = ctx.info;
      const claims = readJoinClaims(token);
      const identity = claims.ok ? claims.claims.identity : (ctx.job.participant?.identity ?? "agent");
      const roomName = ctx.job.room?.name ?? (claims.ok ? (claims.claims.room ?? "") : "");
      const call = botCallOf("dispatch", roomName, identity, dispatchMetadataOf(ctx.job.metadata));
      // The bot joins with the job's own token, so the job never calls ctx.connect() (one identity,
      // one connection); the runner's room watch tells the job when the call is over instead.
      const fleet = new BotFleet({
        startBot: options.startBot ?? startReferenceVoiceBot,
        bot: options.bot ?? {},
        botOptionsFor: options.botOptionsFor,
        listerFor: (where) => new RoomServiceClient(where, apiKey ?? "", apiSecret ?? ""),
        pollMs: options.pollMs ?? 2000,
        maxCallMs: options.maxCallMs ?? 15 * 60_000,
        maxBots: 1,
        log: (line) => console.log(`[reference-bot-agent] ${line}`),
        onBotEnded: (_call, reason) => ctx.shutdown(reason),
      });
      ctx.addShutdownCallback(() => fleet.closeAll());
      await fleet.start(call, { url, token });
    },
  });
}
