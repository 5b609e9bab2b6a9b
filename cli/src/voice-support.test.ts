import { parseSuite, type Suite } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { unsupportedVoiceSettings } from "./voice-support.ts";

function suiteWith(voice: unknown, caller?: unknown): Suite {
  const r = parseSuite({
    version: 1,
    agent: { id: "bot", voice },
    ...(caller ? { caller } : {}),
    defaults: { channel: "voice" },
    scenarios: [{ id: "s", script: [{ say: "hi" }] }],
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.suite;
}

describe("unsupportedVoiceSettings", () => {
  it("accepts manual mode with a token or with a key and secret", () => {
    expect(
      unsupportedVoiceSettings(suiteWith({ livekit: { mode: "manual", url: "ws://h", token: "t" } })),
    ).toBe(undefined);
    const minted = { livekit: { mode: "manual", url: "ws://h", api_key: "k", api_secret: "s" } };
    expect(unsupportedVoiceSettings(suiteWith(minted, { tts: { provider: "offline" } }))).toBe(undefined);
  });

  it("names a mode that spar run cannot join with", () => {
    expect(
      unsupportedVoiceSettings(suiteWith({ livekit: { mode: "client", bot_runner_url: "http://h/r" } })),
    ).toBe(
      'agent.voice.livekit.mode "client" is not supported by spar run yet; use mode: manual (docs/suite-file.md)',
    );
  });

  it("names manual mode without a way to get a token", () => {
    expect(
      unsupportedVoiceSettings(suiteWith({ livekit: { mode: "manual", url: "ws://h", api_key: "k" } })),
    ).toBe("agent.voice.livekit needs `token`, or `api_key` and `api_secret` (+ `room`) to mint one");
  });

  it("names a caller voice other than the offline one", () => {
    const voice = { livekit: { mode: "manual", url: "ws://h", token: "t" } };
    expect(unsupportedVoiceSettings(suiteWith(voice, { tts: { provider: "elevenlabs" } }))).toBe(
      'caller.tts.provider "elevenlabs" is not supported by spar run; use offline',
    );
  });
});
