/**
 * The gateway contract, part 7: the outbound (SSRF) policy at save, over HTTP. Under `public`
 * every spelling of a loopback, private, link-local, CGNAT, unspecified, multicast or broadcast
 * address is a 400 naming the field, on every field that holds a URL the platform calls; the
 * same field takes a public host, so each refusal is the policy's and nothing else's.
 */
import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractClient, contractClient, expectError, pollUntil } from "./contract-client.ts";
import { type RunningTarget, skipOn, TARGETS } from "./gateway-targets.ts";

/** This machine's name when it resolves to loopback only (hosts files usually say so). */
async function loopbackName(): Promise<string | undefined> {
  const name = hostname();
  const answers = await lookup(name, { all: true }).catch(() => []);
  return answers.length > 0 && answers.every((a) => /^127\.|^::1$/.test(a.address)) ? name : undefined;
}

/** Hosts `public` refuses, each as the WHATWG URL parser (what fetch and ws dial) reads it. */
const REFUSED_HOSTS = [
  ["127.0.0.1", "loopback"],
  ["127.1", "loopback, short form"],
  ["2130706433", "loopback, one decimal number"],
  ["0x7f000001", "loopback, one hex number"],
  ["0x7f.1", "loopback, hex and short"],
  ["0177.0.0.1", "loopback, octal part"],
  ["017700000001", "loopback, one octal number"],
  ["127.0.0.1.", "loopback, trailing dot"],
  ["[::1]", "IPv6 loopback"],
  ["[::ffff:127.0.0.1]", "IPv4-mapped IPv6"],
  ["[::ffff:7f00:1]", "IPv4-mapped IPv6 in hex"],
  ["[0:0:0:0:0:ffff:a01:203]", "IPv4-mapped private, uncompressed"],
  ["[64:ff9b::7f00:1]", "NAT64 of loopback"],
  ["[2002:7f00:1::]", "6to4 of loopback"],
  ["localhost", "localhost"],
  ["LocalHost.", "localhost, mixed case and trailing dot"],
  ["api.localhost", "a name under .localhost"],
  ["10.1.2.3", "private 10/8"],
  ["172.16.0.1", "private 172.16/12"],
  ["192.168.1.1", "private 192.168/16"],
  ["0xc0.0xa8.1.1", "private 192.168/16 in hex"],
  ["[fc00::1]", "unique local fc00::/7"],
  ["[fd12:3456::1]", "unique local fd00::/8"],
  ["169.254.169.254", "link-local (cloud metadata)"],
  ["[fe80::1]", "IPv6 link-local"],
  ["100.64.0.1", "CGNAT 100.64/10"],
  ["0.0.0.0", "unspecified"],
  ["0", "unspecified, one number"],
  ["[::]", "IPv6 unspecified"],
  ["224.0.0.1", "multicast"],
  ["[ff02::1]", "IPv6 multicast"],
  ["255.255.255.255", "broadcast"],
] as const;

describe.each(TARGETS)("gateway contract on $name: the outbound policy public", (target) => {
  let gw: RunningTarget;
  let client: ContractClient;
  beforeAll(async () => {
    gw = await target.start({ SPAR_OUTBOUND_POLICY: "public" });
    client = contractClient(gw);
  });
  afterAll(async () => {
    await gw.close();
  });

  const saveAgent = (url: string) =>
    client.call("POST", "/v1/agents", { name: "x", text: { url, secret: "s" } });

  it.each(REFUSED_HOSTS)(
    "refuses text.url on host %s (%s) at save with 400 naming text.url",
    async (host) => {
      expectError(
        await saveAgent(`wss://${host}/ws`),
        400,
        "bad_request",
        /^text\.url: host .* refused by outbound policy public$/,
      );
    },
  );

  it("refuses plain ws:// under public, naming text.url", async () => {
    expectError(
      await saveAgent("ws://bot.example.com/ws"),
      400,
      "bad_request",
      /^text\.url: .*public refuses ws:\/\//,
    );
  });

  it("takes a public host and a public address on the same field", async () => {
    expect((await saveAgent("wss://bot.example.com/ws")).status).toBe(201);
    expect((await saveAgent("wss://8.8.8.8/ws")).status).toBe(201);
    expect((await saveAgent("wss://[2606:4700::1111]/ws")).status).toBe(201);
  });

  const dns = skipOn(
    target,
    "workers",
    "workerd has no DNS API, so a name is not resolved and checked at connect; literal hosts still are, and a deployed Worker's fetch reaches public addresses only",
  );
  it.skipIf(dns.skip)(
    `fails a run at connect whose agent name resolves to a refused address, naming the policy${dns.note}`,
    async (ctx) => {
      const name = await loopbackName();
      // Not a runtime difference: this machine has no name for loopback to try.
      if (name === undefined) return ctx.skip();
      const agent = await saveAgent(`wss://${name}:9/ws`);
      expect(agent.status).toBe(201);
      const scenario = await client.call("POST", "/v1/scenarios", { script: [{ say: "hi" }] });
      const started = await client.call("POST", "/v1/test-runs", {
        agent_id: agent.body.id,
        scenario_ids: [scenario.body.id],
      });
      const runs = await pollUntil(
        () => client.call("GET", `/v1/runs?test_run_id=${started.body.test_run_id}`),
        (res) => res.body.data[0]?.ended_at != null,
      );
      expect(runs.body.data[0]).toMatchObject({ status: "failed", ended_reason: "connection_failed" });
      expect(runs.body.data[0].error).toMatch(/resolves to 127\..*refused by outbound policy public/);
    },
  );

  it("refuses a refused host on every other field that holds a URL, naming that field", async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ["POST", "/v1/webhooks", { url: "https://0x7f.1/hook", events: ["run.finished"] }, /^url: host/],
      ["PUT", "/v1/settings/llm", { base_url: "https://169.254.169.254/v1", model: "m" }, /^base_url: host/],
      ["PUT", "/v1/settings/livekit", { url: "wss://[::ffff:10.0.0.1]", api_key: "k" }, /^url: host/],
      [
        "POST",
        "/v1/agents",
        { name: "v", voice: { livekit: { mode: "client", bot_runner_url: "https://2130706433/start" } } },
        /^voice\.livekit\.bot_runner_url: host/,
      ],
      [
        "PUT",
        "/v1/suites",
        {
          version: 1,
          agent: { id: "s", text: { url: "wss://localhost/ws", secret: "s" } },
          scenarios: [{ id: "a", script: [{ end: true }] }],
        },
        /agent\.text\.url: host/,
      ],
    ];
    for (const [method, path, body, message] of cases) {
      expectError(await client.call(method, path, body), 400, "bad_request", message);
    }
    const agent = (await saveAgent("wss://bot.example.com/ws")).body;
    const patched = await client.call("PATCH", `/v1/agents/${agent.id}`, {
      text: { url: "wss://10.0.0.1/ws" },
    });
    expectError(patched, 400, "bad_request", /^text\.url: host/);
    // The same fields take a public URL, so the refusals above are the policy's.
    expect(
      (
        await client.call(
          "POST",
          "/v1/webhooks",
          { url: "https://ci.example.com/hook", events: ["run.finished"] },
          { showsSecret: true },
        )
      ).status,
    ).toBe(201);
    expect(
      (await client.call("PUT", "/v1/settings/llm", { base_url: "https://llm.example.com/v1", model: "m" }))
        .status,
    ).toBe(200);
  });
});

describe.each(TARGETS)("gateway contract on $name: the outbound policy loopback", (target) => {
  let gw: RunningTarget;
  let client: ContractClient;
  beforeAll(async () => {
    gw = await target.start({ SPAR_OUTBOUND_POLICY: "loopback" });
    client = contractClient(gw);
  });
  afterAll(async () => {
    await gw.close();
  });

  it("takes loopback in any spelling and plain ws://, and still refuses private and link-local hosts", async () => {
    for (const url of ["ws://127.0.0.1:9/ws", "ws://0x7f.1/ws", "ws://[::1]:9/ws", "ws://localhost:9/ws"]) {
      const res = await client.call("POST", "/v1/agents", { name: "l", text: { url, secret: "s" } });
      expect([url, res.status]).toEqual([url, 201]);
    }
    for (const url of ["ws://10.1.2.3/ws", "ws://[::ffff:169.254.169.254]/ws", "ws://100.64.0.1/ws"]) {
      const res = await client.call("POST", "/v1/agents", { name: "p", text: { url, secret: "s" } });
      expectError(res, 400, "bad_request", /^text\.url: host .* refused by outbound policy loopback$/);
    }
  });
});
