/**
 * What kind of address an IP literal is, and whether an outbound policy lets the platform call
 * it. Addresses that carry an IPv4 address inside IPv6 (mapped, SIIT, NAT64, 6to4) are judged by
 * the IPv4 address they reach, so `::ffff:127.0.0.1` is loopback like `127.0.0.1`.
 */
import { AppError } from "@spar/protocol";
import { type IpAddress, parseIpAddress } from "./ip-address.ts";

export const OUTBOUND_POLICIES = ["public", "loopback", "any"] as const;
/** `public`: internet addresses only; `loopback`: also this machine; `any`: no restriction. */
export type OutboundPolicy = (typeof OUTBOUND_POLICIES)[number];

/** `SPAR_OUTBOUND_POLICY`; absent means the runtime's default (loopback for `spar serve`, public on Workers). */
export function parseOutboundPolicy(
  value: string | undefined,
  fallback: OutboundPolicy,
  source = "SPAR_OUTBOUND_POLICY",
): OutboundPolicy {
  if (value === undefined || value.trim() === "") return fallback;
  const policy = OUTBOUND_POLICIES.find((p) => p === value.trim());
  if (!policy) {
    throw new AppError(
      "config_invalid",
      `${source}: must be one of public, loopback, any (got ${JSON.stringify(value)})`,
    );
  }
  return policy;
}

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link_local"
  | "cgnat"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved";

/** How a refusal names the class: "127.0.0.1 is a loopback address". */
export const ADDRESS_CLASS_LABEL: Record<AddressClass, string> = {
  public: "public",
  loopback: "loopback",
  private: "private",
  link_local: "link-local",
  cgnat: "carrier-grade NAT (100.64.0.0/10)",
  unspecified: "unspecified (0.0.0.0/8 or ::)",
  multicast: "multicast",
  broadcast: "broadcast",
  reserved: "reserved or documentation",
};

type V4Range = readonly [base: number, prefixLength: number, cls: AddressClass];

// Order matters only where ranges nest (255.255.255.255 inside 240/4).
const V4_RANGES: readonly V4Range[] = [
  [0xffffffff, 32, "broadcast"],
  [0x00000000, 8, "unspecified"],
  [0x7f000000, 8, "loopback"],
  [0x0a000000, 8, "private"],
  [0xac100000, 12, "private"],
  [0xc0a80000, 16, "private"],
  [0xa9fe0000, 16, "link_local"],
  [0x64400000, 10, "cgnat"],
  [0xe0000000, 4, "multicast"],
  [0xf0000000, 4, "reserved"],
  // Never routed on the internet: IETF protocol assignments, TEST-NETs, benchmarking.
  [0xc0000000, 24, "reserved"],
  [0xc0000200, 24, "reserved"],
  [0xc6336400, 24, "reserved"],
  [0xcb007100, 24, "reserved"],
  [0xc6120000, 15, "reserved"],
];

function inV4Range(value: number, base: number, prefixLength: number): boolean {
  if (prefixLength === 0) return true;
  const mask = prefixLength === 32 ? 0xffffffff : ~(0xffffffff >>> prefixLength) >>> 0;
  return (value & mask) >>> 0 === base;
}

export function classifyIPv4(value: number): AddressClass {
  for (const [base, prefixLength, cls] of V4_RANGES) {
    if (inV4Range(value, base, prefixLength)) return cls;
  }
  return "public";
}

function embeddedV4(hi: number, lo: number): number {
  return hi * 0x10000 + lo;
}

export function classifyIPv6(g: readonly number[]): AddressClass {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (firstFiveZero && g5 === 0 && g6 === 0) {
    if (g7 === 0) return "unspecified";
    if (g7 === 1) return "loopback";
  }
  // ::ffff:a.b.c.d (IPv4-mapped): the socket layer connects to a.b.c.d itself.
  if (firstFiveZero && g5 === 0xffff) return classifyIPv4(embeddedV4(g6, g7));
  // ::ffff:0:a.b.c.d (SIIT) and 64:ff9b::a.b.c.d (NAT64) reach a.b.c.d through a translator.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return classifyIPv4(embeddedV4(g6, g7));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return classifyIPv4(embeddedV4(g6, g7));
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return "private"; // 64:ff9b:1::/48, local-use NAT64
  if (g0 === 0x2002) return classifyIPv4(embeddedV4(g1, g2)); // 6to4 carries its IPv4 relay
  if ((g0 & 0xfe00) === 0xfc00) return "private"; // fc00::/7 unique local
  if ((g0 & 0xffc0) === 0xfe80) return "link_local";
  if ((g0 & 0xffc0) === 0xfec0) return "private"; // fec0::/10, deprecated site-local
  if ((g0 & 0xff00) === 0xff00) return "multicast";
  if (g0 === 0x2001 && g1 === 0x0db8) return "reserved"; // documentation
  if (g0 === 0x2001 && g1 === 0) return "reserved"; // Teredo hides its IPv4 target
  // Everything else outside 2000::/3 (::/96 IPv4-compatible, 100::/64 discard, unallocated) is
  // not a routable internet address.
  if ((g0 & 0xe000) !== 0x2000) return "reserved";
  return "public";
}

export function classifyIp(address: IpAddress): AddressClass {
  return address.family === 4 ? classifyIPv4(address.value) : classifyIPv6(address.groups);
}

/** The class of an IP literal in any spelling (bracketed, zone id, inet_aton forms); undefined for a name. */
export function classifyAddress(input: string): AddressClass | undefined {
  const ip = parseIpAddress(input);
  return ip ? classifyIp(ip) : undefined;
}

export function policyAllows(policy: OutboundPolicy, cls: AddressClass): boolean {
  if (policy === "any") return true;
  if (cls === "public") return true;
  return policy === "loopback" && cls === "loopback";
}

/** `localhost`, `*.localhost` (RFC 6761) and their fully-qualified forms always mean this machine. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}
