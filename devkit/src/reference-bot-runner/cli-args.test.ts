import { describe, expect, it } from "vitest";
import { parseRunnerCliArgs } from "./cli-args.ts";

const required = ["--livekit-url", "ws://127.0.0.1:7880", "--api-key", "k", "--api-secret", "s"];

describe("parseRunnerCliArgs", () => {
  it("takes the flags, with the HTTP runner alone by default", () => {
    expect(parseRunnerCliArgs([...required, "--port", "0", "--require-bearer", "t"], {})).toEqual({
      ok: true,
      options: {
        livekitUrl: "ws://127.0.0.1:7880",
        apiKey: "k",
        apiSecret: "s",
        port: 0,
        host: "127.0.0.1",
        requireBearer: "t",
        worker: undefined,
      },
    });
  });

  it("falls back to the standard LIVEKIT_* variables, flags winning", () => {
    const env = { LIVEKIT_URL: "wss://p.livekit.cloud", LIVEKIT_API_KEY: "ek", LIVEKIT_API_SECRET: "es" };
    const parsed = parseRunnerCliArgs(["--api-key", "fk"], env);
    expect(parsed.ok && [parsed.options.livekitUrl, parsed.options.apiKey, parsed.options.apiSecret]).toEqual(
      ["wss://p.livekit.cloud", "fk", "es"],
    );
  });

  it("registers a worker under --agent-name, or unnamed with --auto-dispatch", () => {
    const named = parseRunnerCliArgs([...required, "--agent-name", "my-bot", "--agent-file", "/a.ts"], {});
    expect(named.ok && named.options.worker).toEqual({ agentName: "my-bot", agentFile: "/a.ts" });
    const auto = parseRunnerCliArgs([...required, "--auto-dispatch"], {});
    expect(auto.ok && auto.options.worker).toEqual({ agentName: "", agentFile: undefined });
  });

  it.each([
    [["--api-key", "k", "--api-secret", "s"], "--livekit-url must be a ws(s):// or http(s):// URL"],
    [["--livekit-url", "ws://h:1", "--api-secret", "s"], "--api-key is required (or set LIVEKIT_API_KEY)"],
    [[...required, "--port", "70000"], "--port must be a number from 0 to 65535"],
    [
      [...required, "--agent-name", "a", "--auto-dispatch"],
      "--agent-name and --auto-dispatch exclude each other",
    ],
    [
      [...required, "--agent-name", ""],
      "--agent-name needs a name; for automatic dispatch use --auto-dispatch",
    ],
    [[...required, "--agent-file", "x.ts"], "--agent-file needs --agent-name NAME or --auto-dispatch"],
    [[...required, "--bogus"], "Unknown option '--bogus'"],
  ])("refuses %j naming the flag", (argv, message) => {
    const parsed = parseRunnerCliArgs(argv, {});
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  it("answers --help with the usage", () => {
    const parsed = parseRunnerCliArgs(["--help"], {});
    expect(!parsed.ok && parsed.help).toBe(true);
  });
});
