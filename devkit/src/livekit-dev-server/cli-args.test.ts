import { describe, expect, it } from "vitest";
import { parseCliArgs } from "./cli-args.ts";

function error(argv: string[]): string {
  const r = parseCliArgs(argv);
  if (r.ok) throw new Error("expected a parse error");
  return r.message.split("\n")[0] ?? "";
}

describe("parseCliArgs", () => {
  it("reads every flag, in both --flag value and --flag=value forms", () => {
    const r = parseCliArgs([
      "--port=7881",
      "--keys",
      "a:b,c:d:e",
      "--ice-ip",
      "10.77.0.1",
      "--webhook",
      "http://127.0.0.1:9/x",
      "--host",
      "0.0.0.0",
      "--echo-agent-ms=4500",
      "--udp-receive-buffer",
      "4194304",
      "--exit-on-stdin-close",
    ]);
    expect(r.ok && r.options).toEqual({
      port: 7881,
      host: "0.0.0.0",
      keys: new Map([
        ["a", "b"],
        ["c", "d:e"],
      ]),
      iceIp: "10.77.0.1",
      webhookUrl: "http://127.0.0.1:9/x",
      echoAgentMs: 4500,
      udpReceiveBufferBytes: 4194304,
      exitOnStdinClose: true,
    });
  });

  it("defaults to port 7880 on 127.0.0.1", () => {
    const r = parseCliArgs(["--keys", "devkey:devsecret"]);
    expect(r.ok && [r.options.port, r.options.host, r.options.iceIp]).toEqual([7880, "127.0.0.1", undefined]);
  });

  it("explains each bad argument with the rule and an example", () => {
    expect(error(["--keys", "k:s", "--port", "x"])).toBe(
      '--port must be a number from 0 to 65535 (e.g. --port 7880); got "x"',
    );
    expect(error(["--keys", "k:s", "--port", "70000"])).toMatch(/^--port must be a number from 0 to 65535/);
    expect(error(["--keys", "k:s", "--port"])).toBe(
      "--port must be a number from 0 to 65535 (e.g. --port 7880); got null",
    );
    expect(error(["--keys", "devkey"])).toBe(
      '--keys must be key:secret with both parts non-empty (e.g. --keys devkey:devsecret); got "devkey"',
    );
    expect(error(["--keys", ":s"])).toMatch(/^--keys must be key:secret/);
    expect(error(["--port", "7880"])).toBe("--keys is required (e.g. --keys devkey:devsecret)");
    expect(error(["--keys", "k:s", "--ice-ip", "localhost"])).toBe(
      '--ice-ip must be an IPv4 address (e.g. --ice-ip 10.77.0.1); got "localhost"',
    );
    expect(error(["--keys", "k:s", "--webhook", "ftp://x"])).toMatch(/^--webhook must be an http\(s\) URL/);
    expect(error(["--keys", "k:s", "--verbose"])).toBe('unknown argument "--verbose"');
    expect(error(["--keys", "k:s", "--echo-agent-ms", "60001"])).toBe(
      '--echo-agent-ms must be a whole number of ms from 0 to 60000 (e.g. --echo-agent-ms 4500); got "60001"',
    );
    expect(error(["--keys", "k:s", "--exit-on-stdin-close=yes"])).toBe(
      "--exit-on-stdin-close takes no value (write it alone: --exit-on-stdin-close)",
    );
    expect(error(["--keys", "k:s", "--echo-agent-ms", "-5"])).toMatch(
      /^--echo-agent-ms must be a whole number/,
    );
  });

  it("answers --help with the usage", () => {
    const r = parseCliArgs(["--help"]);
    expect(!r.ok && r.help && r.message).toMatch(
      /^usage: livekit-dev-server --port 7880 --keys devkey:devsecret/,
    );
  });
});
