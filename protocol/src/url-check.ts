/**
 * URL checks and display shared by the suite schema and the CLI: a precise reason for a bad URL
 * (`port 99999 is out of range`, not "invalid URL"), and a form safe to print.
 */

const SCHEMES = { ws: ["ws:", "wss:"], http: ["http:", "https:"] } as const;

/** Why `value` is not a usable ws(s):// or http(s):// URL, as `rule; fix`; undefined when it is. */
export function urlProblem(value: string, kind: keyof typeof SCHEMES): string | undefined {
  const [plain, secure] = SCHEMES[kind];
  const expected = `a ${plain}// or ${secure}// URL`;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === undefined) return `must be ${expected}, e.g. ${plain}//127.0.0.1:8080/path`;
  if (`${scheme}:` !== plain && `${scheme}:` !== secure) return `must be ${expected}, not ${scheme}://`;
  if (/\s/.test(value)) return "must not contain spaces; percent-encode them as %20";
  const authority = value.slice(scheme.length + 3).split(/[/?#]/, 1)[0] ?? "";
  const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
  // An IPv6 literal's colons are not a port separator: only a colon after its `]` is.
  const port = hostPort.startsWith("[")
    ? /^\[[^\]]*\](?::(.*))?$/.exec(hostPort)?.[1]
    : /^[^:]*:(.*)$/.exec(hostPort)?.[1];
  if (port !== undefined && port !== "") {
    if (!/^\d+$/.test(port)) return `port "${port}" is not a number; use 1-65535`;
    if (Number(port) < 1 || Number(port) > 65535) return `port ${port} is out of range; use 1-65535`;
  }
  if (!URL.canParse(value))
    return `is not a valid URL; write it as ${expected}, e.g. ${plain}//host:port/path`;
  return undefined;
}

/** Every ws(s)/http(s) URL in `text` as `displayUrl` shows it: for error details printed to a terminal or log. */
export function redactUrls(text: string): string {
  return text.replace(/\b(?:wss?|https?):\/\/[^\s"'<>]+/gi, (match) => {
    // Punctuation that ends a sentence ("…/ws?token=x: refused") is not part of the URL.
    const tail = /[.,;:!?)\]}]+$/.exec(match)?.[0] ?? "";
    return displayUrl(match.slice(0, match.length - tail.length)) + tail;
  });
}

/**
 * The URL without credentials, query or fragment (which may carry tokens), for messages and
 * progress lines. A value that does not parse loses the same parts by pattern.
 */
export function displayUrl(value: string): string {
  if (URL.canParse(value)) {
    const u = new URL(value);
    return `${u.protocol}//${u.host}${u.pathname}`;
  }
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, "$1").replace(/[?#].*$/s, "");
}
