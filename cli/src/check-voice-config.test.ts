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

  it("accepts every LiveKit mode the suite schema accepts", () => {
    const modes = [
      { mode: "client", bot_runner_url: "https://bots.example/start" },
      {
        mode: "rubric",
        url: "wss://lk.example",
        api_key: "k",
        api_secret: "s",
        web_call_url: "https://bot.example",
      },
      { mode: "rubric", url: "wss://lk.example", api_key: "k", api_secret: "s", agent_name: "support" },
      { mode: "rubric", url: "wss://lk.example", api_key: "k", api_secret: "s" },
      { mode: "token_endpoint", generate_token_endpoint: "https://tokens.example/" },
    ];
    expect(modes.map((m) => voiceConfigProblem(voiceSuite(m)))).toEqual(modes.map(() => undefined));
  });

  it("refuses a rubric channel without credentials at load, naming each field", () => {
    const r = parseSuite({
      version: 1,
      agent: { id: "bot", voice: { livekit: { mode: "rubric", url: "wss://lk.example", agent_name: "a" } } },
      defaults: { channel: "voice" },
      scenarios: [{ id: "a", script: [{ say: "hi" }] }],
    });
    expect(r.ok ? [] : r.errors).toEqual([
      "agent.voice.livekit.api_key: is required (string)",
      "agent.voice.livekit.api_secret: is required (string)",
    ]);
  });

  it("names manual mode without credentials and a TTS provider the runner lacks", () => {
    expect(voiceConfigProblem(voiceSuite({ mode: "manual", url: "ws://h:7880", api_key: "k" }))).toBe(
      "agent.voice.livekit (manual) needs token, or api_key and api_secret to mint one (credentials_missing)",
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
