/** The echo bot: repeats what the caller said and which keys they pressed. Handy for probes. */
import type { Bot, CallerMessage } from "./bot.ts";

export interface EchoBotOptions {
  /** The connection matched no bot: say so once, in metadata, so a misrouted test is visible. */
  fallback?: boolean;
}

export function createEchoBot(options: EchoBotOptions = {}): Bot {
  let announceFallback = options.fallback === true;
  return {
    name: "echo",
    greeting: "Hello! I repeat whatever you say.",
    respond({ text, digits }: CallerMessage) {
      const parts: string[] = [];
      if (text !== "") parts.push(`You said: ${text}`);
      if (digits !== "") parts.push(`You pressed ${digits}`);
      const content = parts.length > 0 ? parts.join(". ") : "You said nothing.";
      if (!announceFallback) return [{ type: "reply", content }];
      announceFallback = false;
      return [{ type: "reply", content, metadata: { bot: "echo" } }];
    },
  };
}
