import { parseSuite, type Suite } from "@spar/protocol";
import { describe, expect, it } from "vitest";
import { voiceConfigProblem } from "./check-voice-config.ts";

function voiceSuite(livekit: Record<string, unknown>, extra: Record<string, unknown> = {}): Suite {
  const r = parseSuite({
    version: 1,
    agent: { id: "bot", voice: { livekit } },
    defaults: { channel: "voice" },
    scenarios: [{ id: "a", script: [{ say: "hi" }] }],
    ...extra,
  });
  if (!r.ok) throw new Error(r.errors.join("\n"));
  return r.suite;
}

describe("voiceConfigProblem", () => {
  it("accepts manual mode with a token, or with an API key and secret", () => {
    expect(
      voiceConfigProblem(voiceSuite({ mode: "manual", url: "ws://h:7880", token: "t" })),
    ).toBeUndefined();
    expect(
      voiceConfigProblem(voiceSuite({ mode: "manual", url: "ws://h:7880", api_key: "k", api_secret: "s" })),
    ).toBeUndefined();
  });

  it("names the mode field for client, rubric and token_endpoint", () => {
    const modes = [
      { mode: "client", bot_runner_url: "https://bots.example/start" },
      { mode: "rubric", url: "wss://lk.example", api_key: "k", api_secret: "s" },
      { mode: "token_endpoint", generate_token_endpoint: "https://tokens.example/" },
    ];
    expect(modes.map((m) => voiceConfigProblem(voiceSuite(m)))).toEqual(
      ["client", "rubric", "token_endpoint"].map(
        (mode) =>
          `agent.voice.livekit.mode: "${mode}" is not supported by spar run yet; use mode: manual with url and token (or api_key + api_secret)`,
      ),
    );
  });

  it("names manual mode without credentials and a TTS provider the runner lacks", () => {
    expect(voiceConfigProblem(voiceSuite({ mode: "manual", url: "ws://h:7880", api_key: "k" }))).toBe(
      "agent.voice.livekit: mode manual needs token, or api_key and api_secret to mint one",
    );
    expect(
      voiceConfigProblem(
        voiceSuite(
          { mode: "manual", url: "ws://h:7880", token: "t" },
          { caller: { tts: { provider: "eleven" } } },
        ),
      ),
    ).toBe('caller.tts.provider: "eleven" is not supported by spar run; use offline or remove caller.tts');
  });
});
