/**
 * IP literal parsing, deliberately permissive: every spelling that the WHATWG URL parser or
 * inet_aton(3) reads as an address is read here as that same address, so no spelling of a
 * refused address can pass the outbound policy as a "name". Runtime-neutral (no `node:*`).
 */

export type IpAddress =
  | { family: 4 /** The address as an unsigned 32-bit integer. */; value: number }
  | { family: 6 /** Eight 16-bit groups. */; groups: readonly number[] };

const RADIX_DIGITS: Record<number, RegExp> = {
  8: /^[0-7]+$/,
  10: /^[0-9]+$/,
  16: /^[0-9a-fA-F]+$/,
};

/** One dotted part: `0x`/`0X` prefix is hex, a leading `0` is octal, else decimal; `0x` alone is 0 (WHATWG). */
function parseIPv4Part(part: string): number | undefined {
  if (part === "") return undefined;
  let radix = 10;
  let digits = part;
  if (/^0[xX]/.test(part)) {
    radix = 16;
    digits = part.slice(2);
  } else if (part.length > 1 && part.startsWith("0")) {
    radix = 8;
    digits = part.slice(1);
  }
  if (digits === "") return 0;
  if (!RADIX_DIGITS[radix]!.test(digits)) return undefined;
  // Precision loss on absurdly long parts is harmless: anything ≥ 2^32 is refused below.
  return Number.parseInt(digits, radix);
}

/**
 * IPv4 in every inet_aton/WHATWG form: 1 to 4 parts (`2130706433`, `127.1`, `127.0.1`,
 * `127.0.0.1`), each decimal, octal or hex, a trailing dot allowed. The last part fills the
 * remaining bytes, so it may be as large as those bytes allow.
 */
export function parseIPv4(input: string): number | undefined {
  const parts = input.split(".");
  if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return undefined;
  const numbers: number[] = [];
  for (const part of parts) {
    const n = parseIPv4Part(part);
    if (n === undefined) return undefined;
    numbers.push(n);
  }
  const last = numbers.pop()!;
  if (numbers.some((n) => n > 255)) return undefined;
  if (last >= 256 ** (4 - numbers.length)) return undefined;
  return numbers.reduce((sum, n, i) => sum + n * 256 ** (3 - i), last);
}

/** The strict dotted-quad tail of an IPv6 literal (`::ffff:127.0.0.1`): decimal, no leading zeros. */
function parseDottedQuad(input: string): number | undefined {
  const parts = input.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

function parseGroups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups: number[] = [];
  for (const piece of text.split(":")) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
    groups.push(Number.parseInt(piece, 16));
  }
  return groups;
}

/** IPv6 with `::` compression, an IPv4 tail, and a zone id (`fe80::1%eth0`, ignored). */
export function parseIPv6(input: string): number[] | undefined {
  let text = input;
  const zone = text.indexOf("%");
  if (zone !== -1) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(":");
  if (lastColon === -1) return undefined;
  if (text.includes(".", lastColon)) {
    const v4 = parseDottedQuad(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    // "::1.2.3.4" keeps its "::" (compression before the tail); "1:…:6:1.2.3.4" drops the separator.
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith("::")) text = text.slice(0, -1);
  }
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]!);
  if (head === undefined) return undefined;
  if (halves.length === 1) {
    const all = [...head, ...tail];
    return all.length === 8 ? all : undefined;
  }
  const rest = parseGroups(halves[1]!);
  if (rest === undefined) return undefined;
  const known = head.length + rest.length + tail.length;
  if (known > 7) return undefined;
  return [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
}

/** An IP literal, bare or bracketed (`[::1]`), or undefined when the string is not one. */
export function parseIpAddress(input: string): IpAddress | undefined {
  const bracketed = input.startsWith("[") && input.endsWith("]");
  const text = bracketed ? input.slice(1, -1) : input;
  if (text.includes(":")) {
    const groups = parseIPv6(text);
    return groups ? { family: 6, groups } : undefined;
  }
  if (bracketed) return undefined;
  const value = parseIPv4(text);
  return value === undefined ? undefined : { family: 4, value };
}

export function formatIPv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join(".");
}
