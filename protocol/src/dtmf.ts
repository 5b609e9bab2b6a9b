/**
 * Inline DTMF tags: `<dtmf digits="1234#"/>`. The one parser the caller, the reference agent
 * and the probe all use (docs/text-protocol.md § DTMF).
 */

/** Digits a DTMF tag may carry: 0-9, `*`, `#`, 1 to 32 of them. */
export const DTMF_DIGITS = /^[0-9*#]{1,32}$/;

const TAG_SOURCE = '<dtmf\\s+digits="([0-9*#]{1,32})"\\s*\\/>';

/** A fresh global regex (global regexes carry `lastIndex`; never share one). */
export function dtmfTagPattern(): RegExp {
  return new RegExp(TAG_SOURCE, "g");
}

export interface DtmfMatch {
  /** The digits inside the tag, e.g. `"1234#"`. */
  digits: string;
  /** Offset of the tag in the text, in UTF-16 code units. */
  index: number;
  /** The whole tag as it appeared. */
  tag: string;
}

/** Every DTMF tag in `text`, in order. */
export function parseDtmf(text: string): DtmfMatch[] {
  const out: DtmfMatch[] = [];
  for (const m of text.matchAll(dtmfTagPattern())) {
    out.push({ digits: m[1] ?? "", index: m.index ?? 0, tag: m[0] });
  }
  return out;
}

/** The text with every DTMF tag removed and whitespace tidied: what an agent should "hear". */
export function stripDtmf(text: string): string {
  return text.replace(dtmfTagPattern(), " ").replace(/\s+/g, " ").trim();
}

/** The tag for `digits`; throws a RangeError naming the rule when the digits are invalid. */
export function dtmfTag(digits: string): string {
  if (!DTMF_DIGITS.test(digits)) {
    throw new RangeError(`invalid DTMF digits "${digits}": use 1-32 of 0-9, * and #`);
  }
  return `<dtmf digits="${digits}"/>`;
}
