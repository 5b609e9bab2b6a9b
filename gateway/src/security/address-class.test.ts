import { describe, expect, it } from "vitest";
import {
  type AddressClass,
  classifyAddress,
  type OutboundPolicy,
  parseOutboundPolicy,
} from "./address-class.ts";
import { checkUrlAtSave } from "./outbound-url.ts";

/** The strictest policy that allows the address: `public` allows it everywhere, `any` only there. */
type Strictest = OutboundPolicy;

interface Row {
  spelling: string;
  /** `new URL("http://<spelling>/").hostname`, or null when WHATWG refuses that host. */
  url: string | null;
  cls: AddressClass;
  strictest: Strictest;
}

const row = (spelling: string, url: string | null, cls: AddressClass, strictest: Strictest): Row => ({
  spelling,
  url,
  cls,
  strictest,
});

const ROWS: Row[] = [
  row("127.0.0.1", "127.0.0.1", "loopback", "loopback"),
  row("2130706433", "127.0.0.1", "loopback", "loopback"),
  row("0x7f000001", "127.0.0.1", "loopback", "loopback"),
  row("0X7F000001", "127.0.0.1", "loopback", "loopback"),
  row("0177.0.0.1", "127.0.0.1", "loopback", "loopback"),
  row("017700000001", "127.0.0.1", "loopback", "loopback"),
  row("0000000000177.1", "127.0.0.1", "loopback", "loopback"),
  row("127.1", "127.0.0.1", "loopback", "loopback"),
  row("127.0.1", "127.0.0.1", "loopback", "loopback"),
  row("0x7f.1", "127.0.0.1", "loopback", "loopback"),
  row("0x7f.0.0.1", "127.0.0.1", "loopback", "loopback"),
  row("127.0x0.1", "127.0.0.1", "loopback", "loopback"),
  row("0177.0x0.0.01", "127.0.0.1", "loopback", "loopback"),
  row("127.000.000.001", "127.0.0.1", "loopback", "loopback"),
  row("127.0.0.1.", "127.0.0.1", "loopback", "loopback"),
  row("127.255.255.254", "127.255.255.254", "loopback", "loopback"),
  row("0.0.0.0", "0.0.0.0", "unspecified", "any"),
  row("0", "0.0.0.0", "unspecified", "any"),
  row("0x", "0.0.0.0", "unspecified", "any"),
  row("0.1.2.3", "0.1.2.3", "unspecified", "any"),
  row("10.0.0.1", "10.0.0.1", "private", "any"),
  row("012.1", "10.0.0.1", "private", "any"),
  row("167772161", "10.0.0.1", "private", "any"),
  row("172.16.0.1", "172.16.0.1", "private", "any"),
  row("172.31.255.255", "172.31.255.255", "private", "any"),
  row("172.15.255.255", "172.15.255.255", "public", "public"),
  row("172.32.0.1", "172.32.0.1", "public", "public"),
  row("192.168.1.1", "192.168.1.1", "private", "any"),
  row("0xc0a80101", "192.168.1.1", "private", "any"),
  row("3232235777", "192.168.1.1", "private", "any"),
  row("169.254.169.254", "169.254.169.254", "link_local", "any"),
  row("0xa9fea9fe", "169.254.169.254", "link_local", "any"),
  row("2852039166", "169.254.169.254", "link_local", "any"),
  row("169.254.43518", "169.254.169.254", "link_local", "any"),
  row("100.64.0.1", "100.64.0.1", "cgnat", "any"),
  row("100.127.255.255", "100.127.255.255", "cgnat", "any"),
  row("100.63.255.255", "100.63.255.255", "public", "public"),
  row("100.128.0.0", "100.128.0.0", "public", "public"),
  row("224.0.0.1", "224.0.0.1", "multicast", "any"),
  row("239.255.255.250", "239.255.255.250", "multicast", "any"),
  row("255.255.255.255", "255.255.255.255", "broadcast", "any"),
  row("0xffffffff", "255.255.255.255", "broadcast", "any"),
  row("4294967295", "255.255.255.255", "broadcast", "any"),
  row("240.0.0.1", "240.0.0.1", "reserved", "any"),
  row("192.0.2.1", "192.0.2.1", "reserved", "any"),
  row("8.8.8.8", "8.8.8.8", "public", "public"),
  row("134744072", "8.8.8.8", "public", "public"),
  row("0x08.0x08.0x08.0x08", "8.8.8.8", "public", "public"),
  row("1.1", "1.0.0.1", "public", "public"),
  row("::1", "[::1]", "loopback", "loopback"),
  row("[::1]", "[::1]", "loopback", "loopback"),
  row("0:0:0:0:0:0:0:1", "[::1]", "loopback", "loopback"),
  row("::", "[::]", "unspecified", "any"),
  row("::ffff:127.0.0.1", "[::ffff:7f00:1]", "loopback", "loopback"),
  row("::ffff:7f00:1", "[::ffff:7f00:1]", "loopback", "loopback"),
  row("0:0:0:0:0:FFFF:127.0.0.1", "[::ffff:7f00:1]", "loopback", "loopback"),
  row("::ffff:10.0.0.1", "[::ffff:a00:1]", "private", "any"),
  row("::ffff:169.254.169.254", "[::ffff:a9fe:a9fe]", "link_local", "any"),
  row("::ffff:8.8.8.8", "[::ffff:808:808]", "public", "public"),
  row("::ffff:0:127.0.0.1", "[::ffff:0:7f00:1]", "loopback", "loopback"),
  row("64:ff9b::10.1.2.3", "[64:ff9b::a01:203]", "private", "any"),
  row("64:ff9b::8.8.8.8", "[64:ff9b::808:808]", "public", "public"),
  row("2002:7f00:1::", "[2002:7f00:1::]", "loopback", "loopback"),
  row("2002:c0a8:101::1", "[2002:c0a8:101::1]", "private", "any"),
  row("2002:808:808::1", "[2002:808:808::1]", "public", "public"),
  row("::127.0.0.1", "[::7f00:1]", "reserved", "any"),
  row("fc00::1", "[fc00::1]", "private", "any"),
  row("fd12:3456:789a::1", "[fd12:3456:789a::1]", "private", "any"),
  row("fe80::1", "[fe80::1]", "link_local", "any"),
  row("fe80::1%eth0", null, "link_local", "any"),
  row("[fe80::1%25eth0]", null, "link_local", "any"),
  row("febf:ffff::1", "[febf:ffff::1]", "link_local", "any"),
  row("fec0::1", "[fec0::1]", "private", "any"),
  row("ff02::1", "[ff02::1]", "multicast", "any"),
  row("2001:db8::1", "[2001:db8::1]", "reserved", "any"),
  row("2001:0:4136:e378::1", "[2001:0:4136:e378::1]", "reserved", "any"),
  row("100::1", "[100::1]", "reserved", "any"),
  row("2606:4700:4700::1111", "[2606:4700:4700::1111]", "public", "public"),
  row("2001:4860:4860:0:0:0:0:8888", "[2001:4860:4860::8888]", "public", "public"),
];

const POLICIES: readonly OutboundPolicy[] = ["public", "loopback", "any"];

function allowedUnder(policy: OutboundPolicy, strictest: Strictest): boolean {
  return POLICIES.indexOf(policy) >= POLICIES.indexOf(strictest);
}

/** The spelling as it goes between `//` and `/` in a URL. */
function urlHost(spelling: string): string {
  return spelling.includes(":") && !spelling.startsWith("[") ? `[${spelling}]` : spelling;
}

describe("classifyAddress", () => {
  it("covers at least 40 spellings", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ROWS)("classifies $spelling as $cls", ({ spelling, cls }) => {
    expect(classifyAddress(spelling)).toBe(cls);
  });

  it.each(ROWS.filter((r) => r.url !== null))(
    "reads $spelling as the host new URL dials ($url)",
    ({ spelling, url, cls }) => {
      expect(new URL(`http://${urlHost(spelling)}/`).hostname).toBe(url);
      expect(classifyAddress(url!)).toBe(cls);
    },
  );

  it.each([
    "example.com",
    "localhost",
    "127.0.0.1.nip.io",
    "1.2.3.256",
    "08",
    "0x7g.1",
    "1::2::3",
    ":::",
    "[1.2.3.4]",
    "1:2:3:4:5:6:7:8:9",
    "::ffff:127.0.0.01",
    "",
  ])("treats %j as no IP literal", (input) => {
    expect(classifyAddress(input)).toBeUndefined();
  });
});

describe("checkUrlAtSave under each policy", () => {
  const cases = ROWS.filter((r) => r.url !== null).flatMap((r) =>
    POLICIES.map((policy) => ({ ...r, policy, allowed: allowedUnder(policy, r.strictest) })),
  );

  it.each(cases)("$policy: $spelling allowed=$allowed", ({ spelling, policy, allowed, url, cls }) => {
    const check = checkUrlAtSave(`https://${urlHost(spelling)}/hook`, { policy, schemes: ["https"] });
    if (allowed) {
      expect(check).toEqual({ ok: true, url: new URL(`https://${urlHost(spelling)}/hook`) });
    } else {
      const host = url!.startsWith("[") ? url!.slice(1, -1) : url;
      expect(check.ok).toBe(false);
      expect(!check.ok && check.message.startsWith(`host ${host} is a `)).toBe(true);
      expect(!check.ok && check.message.endsWith(`address, refused by outbound policy ${policy}`)).toBe(true);
      expect(classifyAddress(host!)).toBe(cls);
    }
  });
});

describe("parseOutboundPolicy", () => {
  it("reads the three policies and falls back when absent", () => {
    expect(parseOutboundPolicy("public", "loopback")).toBe("public");
    expect(parseOutboundPolicy(" any ", "public")).toBe("any");
    expect(parseOutboundPolicy(undefined, "loopback")).toBe("loopback");
    expect(parseOutboundPolicy("", "public")).toBe("public");
  });

  it("names the variable and the allowed values for anything else", () => {
    expect(() => parseOutboundPolicy("Public", "loopback")).toThrow(
      'SPAR_OUTBOUND_POLICY: must be one of public, loopback, any (got "Public")',
    );
  });
});
