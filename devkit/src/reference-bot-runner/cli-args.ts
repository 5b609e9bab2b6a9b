import { parseArgs } from "node:util";

export interface RunnerCliOptions {
  livekitUrl: string;
  apiKey: string;
  apiSecret: string;
  port: number;
  host: string;
  requireBearer: string | undefined;
  /** Also register an agents worker: under this name, or "" for automatic dispatch. */
  worker: { agentName: string; agentFile: string | undefined } | undefined;
}

export type RunnerCliParse =
  | { ok: true; options: RunnerCliOptions }
  | { ok: false; help: boolean; message: string };

export const USAGE = `usage: reference-bot-runner --livekit-url ws://127.0.0.1:7880 --api-key KEY --api-secret SECRET
                            [--port 8090] [--host 127.0.0.1] [--require-bearer TOKEN]
                            [--agent-name NAME | --auto-dispatch] [--agent-file PATH]

Starts the reference voice bot in LiveKit rooms the way testing platforms ask for it:
  POST /api/create-and-join  RubricHQ "you create rooms": creates a room, answers a caller token
  POST /api/session          RubricHQ "we create rooms": joins the given room with the given bot token
  POST /token                Coval-style token endpoint: a token for the caller, the bot in the room

  --livekit-url URL     your LiveKit server (default $LIVEKIT_URL)
  --api-key KEY         its API key (default $LIVEKIT_API_KEY)
  --api-secret SECRET   its API secret (default $LIVEKIT_API_SECRET)
  --port N              HTTP port (0 = any free port; default 8090)
  --host H              address to listen on (default 127.0.0.1)
  --require-bearer T    every request must send Authorization: Bearer T
  --agent-name NAME     also register a @livekit/agents worker under NAME (explicit dispatch)
  --auto-dispatch       also register a worker without a name (automatic dispatch: every new room)
  --agent-file PATH     the worker's agent file (default: the reference bot with its defaults)`;

/** The command line, with the standard LIVEKIT_* variables as defaults; errors name the flag and a fix. */
export function parseRunnerCliArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): RunnerCliParse {
  const fail = (message: string): RunnerCliParse => ({
    ok: false,
    help: false,
    message: `${message}\n\n${USAGE}`,
  });
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        "livekit-url": { type: "string" },
        "api-key": { type: "string" },
        "api-secret": { type: "string" },
        port: { type: "string", default: "8090" },
        host: { type: "string", default: "127.0.0.1" },
        "require-bearer": { type: "string" },
        "agent-name": { type: "string" },
        "auto-dispatch": { type: "boolean" },
        "agent-file": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return { ok: false, help: true, message: USAGE };
  const text = (flag: string): string | undefined => {
    const v = values[flag];
    return typeof v === "string" ? v : undefined;
  };
  const livekitUrl = text("livekit-url") ?? env.LIVEKIT_URL ?? "";
  if (!/^(wss?|https?):\/\/\S+$/.test(livekitUrl) || !URL.canParse(livekitUrl)) {
    return fail(
      `--livekit-url must be a ws(s):// or http(s):// URL (e.g. --livekit-url ws://127.0.0.1:7880); got ${JSON.stringify(livekitUrl)}`,
    );
  }
  const apiKey = text("api-key") ?? env.LIVEKIT_API_KEY ?? "";
  const apiSecret = text("api-secret") ?? env.LIVEKIT_API_SECRET ?? "";
  if (apiKey === "") return fail("--api-key is required (or set LIVEKIT_API_KEY)");
  if (apiSecret === "") return fail("--api-secret is required (or set LIVEKIT_API_SECRET)");
  const portText = text("port") ?? "";
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    return fail(
      `--port must be a number from 0 to 65535 (e.g. --port 8090); got ${JSON.stringify(portText)}`,
    );
  }
  const agentName = text("agent-name");
  const auto = values["auto-dispatch"] === true;
  if (agentName !== undefined && auto) {
    return fail(
      "--agent-name and --auto-dispatch exclude each other: a worker with a name only gets explicit dispatches",
    );
  }
  if (agentName === "") return fail("--agent-name needs a name; for automatic dispatch use --auto-dispatch");
  const agentFile = text("agent-file");
  if (agentFile !== undefined && agentName === undefined && !auto) {
    return fail("--agent-file needs --agent-name NAME or --auto-dispatch (it is the worker's agent)");
  }
  const bearer = text("require-bearer");
  if (bearer === "") return fail("--require-bearer needs a token (e.g. --require-bearer s3cret)");
  return {
    ok: true,
    options: {
      livekitUrl,
      apiKey,
      apiSecret,
      port: Number(portText),
      host: text("host") ?? "127.0.0.1",
      requireBearer: bearer,
      worker: agentName !== undefined || auto ? { agentName: agentName ?? "", agentFile } : undefined,
    },
  };
}
