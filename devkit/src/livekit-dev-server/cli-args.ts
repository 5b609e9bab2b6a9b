import { isIPv4 } from "node:net";
import { MAX_ECHO_DELAY_MS } from "./echo-agent.ts";

export interface CliOptions {
  port: number;
  host: string;
  keys: Map<string, string>;
  iceIp: string | undefined;
  webhookUrl: string | undefined;
  echoAgentMs: number | undefined;
  udpReceiveBufferBytes: number | undefined;
  exitOnStdinClose: boolean;
}

export type CliParse = { ok: true; options: CliOptions } | { ok: false; help: boolean; message: string };

export const USAGE = `usage: livekit-dev-server --port 7880 --keys devkey:devsecret [--ice-ip IP] [--webhook URL] [--host 127.0.0.1] [--echo-agent-ms N] [--udp-receive-buffer BYTES] [--exit-on-stdin-close]

A LiveKit-protocol-compatible server for tests and demos (audio + data). Production setups use
LiveKit Cloud or their own livekit-server. Prints its ws:// URL on stdout once listening.

  --port N          TCP port for signalling and the Server API (0 = any free port; default 7880)
  --keys K:S[,K:S]  API key(s) and secret(s) tokens are signed with (repeatable)
  --ice-ip IP       IPv4 address announced in ICE candidates (default: every non-loopback IPv4)
  --webhook URL     POST LiveKit webhook events (signed with the first key) to this http(s) URL
  --host H          address to listen on (default 127.0.0.1)
  --echo-agent-ms N every participant also sees "echo-agent", which plays the participant's own
                    audio back N ms later (0-60000; load tests and smoke tests; default off)
  --udp-receive-buffer BYTES  receive buffer each media socket asks for, as livekit-server does
                    (65536-67108864, capped by net.core.rmem_max; default: the kernel's)
  --exit-on-stdin-close  shut down when standard input ends: a parent that spawns the server with
                    a stdin pipe takes it down when it dies, however it dies`;

const MAX_KEY_PAIRS = 16;

/** Parses the command line; every error names the flag, the rule and an example of a fix. */
export function parseCliArgs(argv: readonly string[]): CliParse {
  let port = 7880;
  let host = "127.0.0.1";
  const keys = new Map<string, string>();
  let iceIp: string | undefined;
  let webhookUrl: string | undefined;
  let echoAgentMs: number | undefined;
  let udpReceiveBufferBytes: number | undefined;
  let exitOnStdinClose = false;
  const fail = (message: string): CliParse => ({ ok: false, help: false, message: `${message}\n\n${USAGE}` });
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") return { ok: false, help: true, message: USAGE };
    const [flag, inline] =
      arg.startsWith("--") && arg.includes("=")
        ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
        : [arg, undefined];
    const value = inline ?? argv[i + 1];
    const takeValue = (): string | undefined => {
      if (inline === undefined) i += 1;
      return value === undefined || (inline === undefined && value.startsWith("--")) ? undefined : value;
    };
    switch (flag) {
      case "--port": {
        const v = takeValue();
        if (v === undefined || !/^\d{1,5}$/.test(v) || Number(v) > 65535) {
          return fail(
            `--port must be a number from 0 to 65535 (e.g. --port 7880); got ${JSON.stringify(v ?? null)}`,
          );
        }
        port = Number(v);
        break;
      }
      case "--host": {
        const v = takeValue();
        if (!v) return fail("--host needs an address (e.g. --host 127.0.0.1)");
        host = v;
        break;
      }
      case "--keys": {
        const v = takeValue();
        if (!v) return fail("--keys needs key:secret (e.g. --keys devkey:devsecret)");
        for (const pair of v.split(",")) {
          const at = pair.indexOf(":");
          const key = pair.slice(0, at);
          const secret = pair.slice(at + 1);
          if (at <= 0 || secret.length === 0) {
            return fail(
              `--keys must be key:secret with both parts non-empty (e.g. --keys devkey:devsecret); got ${JSON.stringify(pair)}`,
            );
          }
          keys.set(key, secret);
        }
        if (keys.size > MAX_KEY_PAIRS)
          return fail(`--keys accepts at most ${MAX_KEY_PAIRS} key:secret pairs`);
        break;
      }
      case "--ice-ip": {
        const v = takeValue();
        if (!v || !isIPv4(v))
          return fail(
            `--ice-ip must be an IPv4 address (e.g. --ice-ip 10.77.0.1); got ${JSON.stringify(v ?? null)}`,
          );
        iceIp = v;
        break;
      }
      case "--webhook": {
        const v = takeValue();
        let url: URL | undefined;
        try {
          url = v ? new URL(v) : undefined;
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
          return fail(
            `--webhook must be an http(s) URL (e.g. --webhook http://127.0.0.1:8080/lk); got ${JSON.stringify(v ?? null)}`,
          );
        }
        webhookUrl = url.toString();
        break;
      }
      case "--echo-agent-ms": {
        const v = takeValue();
        if (v === undefined || !/^\d{1,5}$/.test(v) || Number(v) > MAX_ECHO_DELAY_MS) {
          return fail(
            `--echo-agent-ms must be a whole number of ms from 0 to ${MAX_ECHO_DELAY_MS} (e.g. --echo-agent-ms 4500); got ${JSON.stringify(v ?? null)}`,
          );
        }
        echoAgentMs = Number(v);
        break;
      }
      case "--udp-receive-buffer": {
        const v = takeValue();
        if (v === undefined || !/^\d{1,8}$/.test(v) || Number(v) < 65_536 || Number(v) > 67_108_864) {
          return fail(
            `--udp-receive-buffer must be a byte count from 65536 to 67108864 (e.g. --udp-receive-buffer 4194304); got ${JSON.stringify(v ?? null)}`,
          );
        }
        udpReceiveBufferBytes = Number(v);
        break;
      }
      case "--exit-on-stdin-close":
        if (inline !== undefined)
          return fail("--exit-on-stdin-close takes no value (write it alone: --exit-on-stdin-close)");
        exitOnStdinClose = true;
        break;
      default:
        return fail(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (keys.size === 0) return fail("--keys is required (e.g. --keys devkey:devsecret)");
  return {
    ok: true,
    options: {
      port,
      host,
      keys,
      iceIp,
      webhookUrl,
      echoAgentMs,
      udpReceiveBufferBytes,
      exitOnStdinClose,
    },
  };
}
