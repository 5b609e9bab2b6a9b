/**
 * The outbound policy applied to URLs the platform will call: once when a URL is saved (scheme
 * and literal host) and again when connecting, after DNS, so a name that resolves to a refused
 * address (DNS rebinding, `127.0.0.1.nip.io`) is refused too. URLs are parsed with WHATWG
 * `new URL`, the parser `fetch` and `ws` use, so the host judged here is the host they dial
 * (`http://0x7f.1/` is judged as 127.0.0.1 because that is where it goes).
 */
import {
  ADDRESS_CLASS_LABEL,
  type AddressClass,
  classifyAddress,
  isLocalhostName,
  type OutboundPolicy,
  policyAllows,
} from "./address-class.ts";

/** Port: resolves a host name to every address a client could connect to. */
export interface HostResolver {
  resolve(host: string): Promise<string[]>;
}

export type SecureScheme = "wss" | "https";

export interface UrlCheckOptions {
  policy: OutboundPolicy;
  /** The secure schemes this field takes; `ws`/`http` are also accepted unless the policy is `public`. */
  schemes: readonly SecureScheme[];
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; message: string };
export type ConnectCheck =
  | {
      ok: true;
      url: URL /** The addresses checked; empty when the policy is `any` (no lookup). */;
      addresses: string[];
    }
  | { ok: false; message: string };
export type AddressCheck = { ok: true } | { ok: false; message: string };

const PLAIN: Record<SecureScheme, string> = { wss: "ws", https: "http" };

function refusal(what: string, cls: AddressClass, policy: OutboundPolicy): string {
  return `${what} is a ${ADDRESS_CLASS_LABEL[cls]} address, refused by outbound policy ${policy}`;
}

function parseUrl(input: string): URL | undefined {
  try {
    return new URL(input);
  } catch {
    return undefined;
  }
}

function schemesAccepted(options: UrlCheckOptions): string {
  const secure = options.schemes.map((s) => `${s}://`);
  const plain = options.schemes.map((s) => `${PLAIN[s]}://`);
  return (options.policy === "public" ? secure : [...plain, ...secure]).join(" or ");
}

function checkScheme(url: URL, options: UrlCheckOptions): string | undefined {
  const scheme = url.protocol.slice(0, -1);
  if ((options.schemes as readonly string[]).includes(scheme)) return undefined;
  if (options.schemes.some((s) => PLAIN[s] === scheme)) {
    if (options.policy !== "public") return undefined;
    return `must be a ${schemesAccepted(options)} URL (outbound policy public refuses ${scheme}://)`;
  }
  return `must be a ${schemesAccepted(options)} URL`;
}

/** The host as the client will dial it: IPv6 without brackets, a name without its final dot. */
function hostOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith("[") ? host.slice(1, -1) : host;
}

/** Refusal of a literal or `localhost` host before any lookup; undefined when it needs DNS or passes. */
function checkHostLiteral(host: string, policy: OutboundPolicy): string | undefined {
  const cls = classifyAddress(host) ?? (isLocalhostName(host) ? "loopback" : undefined);
  if (cls === undefined || policyAllows(policy, cls)) return undefined;
  return refusal(`host ${host}`, cls, policy);
}

/** At save: the scheme fits the field and the policy; a literal or localhost host is allowed. */
export function checkUrlAtSave(input: string, options: UrlCheckOptions): UrlCheck {
  const url = parseUrl(input);
  if (!url) return { ok: false, message: `must be a ${schemesAccepted(options)} URL` };
  const schemeProblem = checkScheme(url, options);
  if (schemeProblem) return { ok: false, message: schemeProblem };
  const hostProblem = checkHostLiteral(hostOf(url), options.policy);
  return hostProblem ? { ok: false, message: hostProblem } : { ok: true, url };
}

/** After DNS: every address must be allowed (one refused address refuses the name). */
export function checkResolvedAddresses(
  host: string,
  addresses: readonly string[],
  policy: OutboundPolicy,
): AddressCheck {
  if (policy === "any") return { ok: true };
  if (addresses.length === 0) return { ok: false, message: `host ${host} resolves to no address` };
  for (const address of addresses) {
    const cls = classifyAddress(address);
    if (cls === undefined) {
      return { ok: false, message: `host ${host} resolves to ${address}, which is not an IP address` };
    }
    if (!policyAllows(policy, cls))
      return { ok: false, message: refusal(`host ${host} resolves to ${address}, which`, cls, policy) };
  }
  return { ok: true };
}

const ANY_SCHEME: readonly string[] = ["ws:", "wss:", "http:", "https:"];

/**
 * At connect: the policy may have changed since the URL was saved, so the scheme and literal
 * host are checked again, then a name is resolved and every address checked. Callers that can
 * pin the connection should dial one of the returned addresses, closing the window between this
 * lookup and the client's own.
 */
export async function checkUrlAtConnect(
  input: string,
  policy: OutboundPolicy,
  resolver: HostResolver,
): Promise<ConnectCheck> {
  const url = parseUrl(input);
  if (!url) return { ok: false, message: "must be an absolute URL" };
  if (!ANY_SCHEME.includes(url.protocol)) {
    return { ok: false, message: `${url.protocol}// URLs are not called by the platform` };
  }
  if (policy === "any") return { ok: true, url, addresses: [] };
  if (policy === "public" && (url.protocol === "ws:" || url.protocol === "http:")) {
    return {
      ok: false,
      message: `outbound policy public refuses ${url.protocol}// (use wss:// or https://)`,
    };
  }
  const host = hostOf(url);
  const literalProblem = checkHostLiteral(host, policy);
  if (literalProblem) return { ok: false, message: literalProblem };
  if (classifyAddress(host) !== undefined) return { ok: true, url, addresses: [host] };
  // `localhost` is resolved too: a hosts file may point it somewhere the policy refuses.
  let addresses: string[];
  try {
    addresses = await resolver.resolve(host);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `host ${host} could not be resolved (${detail})` };
  }
  const check = checkResolvedAddresses(host, addresses, policy);
  return check.ok ? { ok: true, url, addresses } : check;
}
