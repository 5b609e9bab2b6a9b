/**
 * Which bot a connection is for: the `X-RUBRIC-AGENT-ID` header first (one platform agent per
 * bot), then the last segment of the URL path (`/billing`, `/ws/echo`), else echo as a fallback.
 */

import { createBillingBot } from "./billing-bot.ts";
import type { Bot, BotName } from "./bot.ts";
import { createEchoBot } from "./echo-bot.ts";

const BY_AGENT_ID: Readonly<Record<string, BotName>> = { "billing-bot": "billing", "echo-bot": "echo" };
const BY_PATH: Readonly<Record<string, BotName>> = { billing: "billing", echo: "echo" };

export type RoutedBy = "agent_id" | "path" | "fallback";

export function routeBot(
  agentId: string | undefined,
  pathname: string,
): { bot: BotName; routedBy: RoutedBy } {
  const byId = agentId === undefined ? undefined : BY_AGENT_ID[agentId];
  if (byId) return { bot: byId, routedBy: "agent_id" };
  const segment = pathname
    .split("/")
    .filter((s) => s !== "")
    .pop();
  const byPath = segment === undefined ? undefined : BY_PATH[segment];
  if (byPath) return { bot: byPath, routedBy: "path" };
  return { bot: "echo", routedBy: "fallback" };
}

/** A fresh bot (bots keep per-conversation state, so one per connection). */
export function createBot(name: BotName, routedBy: RoutedBy): Bot {
  return name === "billing" ? createBillingBot() : createEchoBot({ fallback: routedBy === "fallback" });
}
