/**
 * For tests: which configured secrets appear in a text (a response body, an SSE event, a log
 * line), raw or in the encodings a leak usually takes — JSON-escaped, URL-encoded, or base64
 * (standard or URL-safe, also when embedded inside a longer base64 string at any alignment).
 */
import { bytesToBase64 } from "./base64.ts";

/** Shorter base64 fragments than this match too much unrelated text to mean a leak. */
const MIN_FRAGMENT = 8;

/**
 * The base64 characters that depend only on the secret, for each of the three byte alignments
 * it can have inside a longer encoded value.
 */
function base64Fragments(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  const fragments: string[] = [];
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    const encoded = bytesToBase64(padded).replace(/=+$/, "");
    const startBit = shift * 8;
    const endBit = (shift + bytes.length) * 8;
    const first = Math.ceil(startBit / 6);
    const last = Math.floor(endBit / 6); // exclusive: the character holding the last bits may mix in what follows
    fragments.push(encoded.slice(first, last));
  }
  // The aligned encoding with its padding is what a whole-value encoding looks like.
  fragments.push(bytesToBase64(bytes));
  return fragments;
}

function formsOf(secret: string): string[] {
  const forms = new Set<string>([secret]);
  for (const fragment of base64Fragments(secret)) {
    if (fragment.length < MIN_FRAGMENT) continue;
    forms.add(fragment);
    forms.add(fragment.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  }
  return [...forms];
}

/** Percent-decodes every run of `%XX` escapes as UTF-8, leaving everything else as it is. */
function percentDecode(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? text.replace(/\+/g, " ") : text;
  return spaced.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split("%"), (hex) => Number.parseInt(hex, 16));
    return new TextDecoder().decode(bytes);
  });
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '"',
  "\\": "\\",
  "/": "/",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
};

function jsonUnescape(text: string): string {
  return text.replace(
    /\\(?:(["\\/bfnrt])|u([0-9A-Fa-f]{4}))/g,
    (_, simple: string | undefined, hex: string | undefined) =>
      simple !== undefined ? JSON_ESCAPES[simple]! : String.fromCharCode(Number.parseInt(hex!, 16)),
  );
}

/** The secrets (as given) found in the text in any form, in the order given, each once. */
export function findSecrets(text: string, secrets: readonly string[]): string[] {
  // Decoding the text covers every escaping variant (upper/lower hex, partial escaping, `+`).
  const views = [text, jsonUnescape(text), percentDecode(text, false), percentDecode(text, true)];
  const found: string[] = [];
  for (const secret of secrets) {
    if (secret === "" || found.includes(secret)) continue;
    const forms = formsOf(secret);
    if (views.some((view) => forms.some((form) => view.includes(form)))) found.push(secret);
  }
  return found;
}
