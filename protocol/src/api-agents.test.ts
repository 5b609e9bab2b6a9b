import { describe, expect, it } from "vitest";
import { agentCreateSchema, agentPatchSchema } from "./api-agents.ts";
import { issueLines } from "./suite-issues.ts";

const errorsOf = (r: { success: boolean; error?: { issues: never[] } }) =>
  r.success ? [] : issueLines(r.error?.issues ?? []);

describe("agentCreateSchema", () => {
  it("accepts a text agent and fills the channel defaults", () => {
    const r = agentCreateSchema.parse({
      name: "Billing bot",
      key: "billing-bot",
      text: { url: "wss://bot.example/ws", secret: "s" },
    });
    expect(r.text).toEqual({
      url: "wss://bot.example/ws",
      secret: "s",
      per_turn_timeout_s: 120,
      max_duration_s: 600,
      first_speaker: "caller",
      settle_ms: 300,
    });
  });

  it("refuses an agent without a channel, an unknown field and a bad URL, naming each", () => {
    expect(errorsOf(agentCreateSchema.safeParse({ name: "x" }) as never)).toEqual([
      "(root): an agent needs a channel: give text, voice or both",
    ]);
    expect(
      errorsOf(
        agentCreateSchema.safeParse({
          name: "x",
          txt: {},
          text: { url: "http://h/ws", secret: "s" },
        }) as never,
      ),
    ).toEqual([
      "text.url: must be a ws:// or wss:// URL, not http://",
      "(root): unknown field `txt` (check the spelling)",
    ]);
  });
});

describe("agentPatchSchema", () => {
  it("keeps an omitted secret absent, and lets null clear it", () => {
    expect(agentPatchSchema.parse({ text: { per_turn_timeout_s: 30 } }).text).toEqual({
      per_turn_timeout_s: 30,
    });
    expect(agentPatchSchema.parse({ text: { secret: null } }).text).toEqual({ secret: null });
  });
});
