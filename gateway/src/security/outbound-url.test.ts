import { describe, expect, it } from "vitest";
import {
  checkResolvedAddresses,
  checkUrlAtConnect,
  checkUrlAtSave,
  type HostResolver,
} from "./outbound-url.ts";

/** A resolver answering from a script of answers per host, recording every lookup. */
class ScriptedResolver implements HostResolver {
  readonly lookups: string[] = [];
  constructor(private readonly answers: Record<string, Array<string[] | Error>>) {}
  async resolve(host: string): Promise<string[]> {
    this.lookups.push(host);
    const next = this.answers[host]?.shift();
    if (next === undefined) throw new Error(`getaddrinfo ENOTFOUND ${host}`);
    if (next instanceof Error) throw next;
    return next;
  }
}

function messageOf(check: { ok: true } | { ok: false; message: string }): string | undefined {
  return check.ok ? undefined : check.message;
}

describe("checkUrlAtSave", () => {
  it("refuses plain schemes under public and names the rule", () => {
    expect(messageOf(checkUrlAtSave("ws://bot.example.com/ws", { policy: "public", schemes: ["wss"] }))).toBe(
      "must be a wss:// URL (outbound policy public refuses ws://)",
    );
    expect(
      messageOf(checkUrlAtSave("http://llm.example.com/v1", { policy: "public", schemes: ["https"] })),
    ).toBe("must be a https:// URL (outbound policy public refuses http://)");
  });

  it("accepts plain schemes under loopback and any", () => {
    for (const policy of ["loopback", "any"] as const) {
      expect(checkUrlAtSave("ws://bot.example.com/ws", { policy, schemes: ["wss"] }).ok).toBe(true);
      expect(checkUrlAtSave("http://llm.example.com/v1", { policy, schemes: ["https"] }).ok).toBe(true);
    }
  });

  it("refuses a scheme of another kind and a string that is no URL", () => {
    expect(
      messageOf(checkUrlAtSave("https://bot.example.com", { policy: "loopback", schemes: ["wss"] })),
    ).toBe("must be a ws:// or wss:// URL");
    expect(
      messageOf(checkUrlAtSave("file:///etc/passwd", { policy: "public", schemes: ["wss", "https"] })),
    ).toBe("must be a wss:// or https:// URL");
    expect(messageOf(checkUrlAtSave("bot.example.com/ws", { policy: "any", schemes: ["wss"] }))).toBe(
      "must be a ws:// or wss:// URL",
    );
  });

  it("treats localhost and *.localhost as loopback", () => {
    for (const host of ["localhost", "LOCALHOST.", "agent.localhost", "a.b.localhost."]) {
      const url = `ws://${host}:8080/ws`;
      expect(messageOf(checkUrlAtSave(url, { policy: "public", schemes: ["wss"] }))).toBe(
        "must be a wss:// URL (outbound policy public refuses ws://)",
      );
      expect(
        messageOf(checkUrlAtSave(url.replace("ws:", "wss:"), { policy: "public", schemes: ["wss"] })),
      ).toBe(`host ${host.toLowerCase()} is a loopback address, refused by outbound policy public`);
      expect(checkUrlAtSave(url, { policy: "loopback", schemes: ["wss"] }).ok).toBe(true);
    }
  });

  it("judges Unicode and percent-encoded spellings by the address new URL makes of them", () => {
    for (const host of ["１２７.０.０.１", "①②⑦.0.0.1", "127。0。0。1", "%31%32%37.0.0.1", "0x7F.1"]) {
      expect(messageOf(checkUrlAtSave(`wss://${host}/ws`, { policy: "public", schemes: ["wss"] }))).toBe(
        "host 127.0.0.1 is a loopback address, refused by outbound policy public",
      );
    }
  });

  it("leaves names other than localhost to the connect-time check", () => {
    expect(checkUrlAtSave("wss://127.0.0.1.nip.io/ws", { policy: "public", schemes: ["wss"] }).ok).toBe(true);
  });
});

describe("checkResolvedAddresses", () => {
  it("refuses a name when any of its addresses is refused", () => {
    expect(messageOf(checkResolvedAddresses("mixed.example", ["93.184.216.34", "10.0.0.7"], "public"))).toBe(
      "host mixed.example resolves to 10.0.0.7, which is a private address, refused by outbound policy public",
    );
  });

  it("refuses an empty answer and an answer that is no address, unless the policy is any", () => {
    expect(messageOf(checkResolvedAddresses("void.example", [], "loopback"))).toBe(
      "host void.example resolves to no address",
    );
    expect(messageOf(checkResolvedAddresses("odd.example", ["not-an-ip"], "public"))).toBe(
      "host odd.example resolves to not-an-ip, which is not an IP address",
    );
    expect(checkResolvedAddresses("odd.example", ["10.0.0.1", "x"], "any")).toEqual({ ok: true });
  });

  it("allows loopback answers under loopback only", () => {
    expect(checkResolvedAddresses("dev.example", ["127.0.0.1", "::1"], "loopback")).toEqual({ ok: true });
    expect(messageOf(checkResolvedAddresses("dev.example", ["::ffff:7f00:1"], "public"))).toBe(
      "host dev.example resolves to ::ffff:7f00:1, which is a loopback address, refused by outbound policy public",
    );
  });
});

describe("checkUrlAtConnect", () => {
  it("refuses a name that rebinds to loopback between two connects", async () => {
    const resolver = new ScriptedResolver({ "bot.example.com": [["93.184.216.34"], ["127.0.0.1"]] });
    const first = await checkUrlAtConnect("wss://bot.example.com/ws", "public", resolver);
    expect(first).toEqual({
      ok: true,
      url: new URL("wss://bot.example.com/ws"),
      addresses: ["93.184.216.34"],
    });
    const second = await checkUrlAtConnect("wss://bot.example.com/ws", "public", resolver);
    expect(second).toEqual({
      ok: false,
      message:
        "host bot.example.com resolves to 127.0.0.1, which is a loopback address, refused by outbound policy public",
    });
    expect(resolver.lookups).toEqual(["bot.example.com", "bot.example.com"]);
  });

  it("refuses a name with one metadata address among public ones", async () => {
    const resolver = new ScriptedResolver({
      "rebind.example": [["2606:4700:4700::1111", "::ffff:169.254.169.254", "1.1.1.1"]],
    });
    expect(await checkUrlAtConnect("https://rebind.example/hook", "loopback", resolver)).toEqual({
      ok: false,
      message:
        "host rebind.example resolves to ::ffff:169.254.169.254, which is a link-local address, refused by outbound policy loopback",
    });
  });

  it("checks literal hosts without a lookup", async () => {
    const resolver = new ScriptedResolver({});
    expect(await checkUrlAtConnect("ws://0x7f.1:9000/ws", "loopback", resolver)).toEqual({
      ok: true,
      url: new URL("ws://127.0.0.1:9000/ws"),
      addresses: ["127.0.0.1"],
    });
    expect(await checkUrlAtConnect("wss://[::ffff:10.0.0.1]/ws", "public", resolver)).toEqual({
      ok: false,
      message: "host ::ffff:a00:1 is a private address, refused by outbound policy public",
    });
    expect(resolver.lookups).toEqual([]);
  });

  it("resolves localhost under loopback and refuses it when the hosts file points elsewhere", async () => {
    const resolver = new ScriptedResolver({ localhost: [["127.0.0.1", "::1"], ["10.1.1.1"]] });
    expect(await checkUrlAtConnect("ws://localhost:8080/", "loopback", resolver)).toEqual({
      ok: true,
      url: new URL("ws://localhost:8080/"),
      addresses: ["127.0.0.1", "::1"],
    });
    expect(await checkUrlAtConnect("ws://localhost:8080/", "loopback", resolver)).toEqual({
      ok: false,
      message:
        "host localhost resolves to 10.1.1.1, which is a private address, refused by outbound policy loopback",
    });
    expect(await checkUrlAtConnect("wss://localhost/", "public", resolver)).toEqual({
      ok: false,
      message: "host localhost is a loopback address, refused by outbound policy public",
    });
  });

  it("re-checks the scheme, because the policy may have changed since save", async () => {
    expect(await checkUrlAtConnect("ws://bot.example.com/", "public", new ScriptedResolver({}))).toEqual({
      ok: false,
      message: "outbound policy public refuses ws:// (use wss:// or https://)",
    });
    expect(await checkUrlAtConnect("gopher://bot.example.com/", "any", new ScriptedResolver({}))).toEqual({
      ok: false,
      message: "gopher:// URLs are not called by the platform",
    });
  });

  it("reports a failed lookup as a refusal naming the host", async () => {
    const resolver = new ScriptedResolver({
      "down.example": [new Error("getaddrinfo EAI_AGAIN down.example")],
    });
    expect(await checkUrlAtConnect("wss://down.example/", "public", resolver)).toEqual({
      ok: false,
      message: "host down.example could not be resolved (getaddrinfo EAI_AGAIN down.example)",
    });
  });

  it("skips the lookup under any", async () => {
    const resolver = new ScriptedResolver({});
    expect(await checkUrlAtConnect("ws://10.0.0.1/", "any", resolver)).toEqual({
      ok: true,
      url: new URL("ws://10.0.0.1/"),
      addresses: [],
    });
    expect(resolver.lookups).toEqual([]);
  });
});
