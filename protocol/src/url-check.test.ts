import { describe, expect, it } from "vitest";
import { displayUrl, redactUrls, urlProblem } from "./url-check.ts";

describe("urlProblem", () => {
  it("accepts ws, wss, IPv6 hosts, credentials and queries", () => {
    for (const u of [
      "ws://127.0.0.1:8080/ws",
      "wss://agent.example/ws?x=1",
      "ws://[::1]:80/",
      "ws://[::1]/ws",
      "wss://[::ffff:127.0.0.1]/ws",
      "wss://[2606:4700::1111]",
      "ws://u:p@h:1/",
    ]) {
      expect(urlProblem(u, "ws")).toBeUndefined();
    }
    expect(urlProblem("https://api.example/v1", "http")).toBeUndefined();
  });

  it("names a port out of range or not a number", () => {
    expect(urlProblem("ws://127.0.0.1:99999/ws", "ws")).toBe("port 99999 is out of range; use 1-65535");
    expect(urlProblem("ws://h:0/ws", "ws")).toBe("port 0 is out of range; use 1-65535");
    expect(urlProblem("ws://[::1]:70000/", "ws")).toBe("port 70000 is out of range; use 1-65535");
    expect(urlProblem("ws://u:p@h:8o8o/", "ws")).toBe('port "8o8o" is not a number; use 1-65535');
  });

  it("names the wrong scheme, a missing one, spaces and other unparsable URLs", () => {
    expect(urlProblem("http://h/ws", "ws")).toBe("must be a ws:// or wss:// URL, not http://");
    expect(urlProblem("127.0.0.1:8080", "ws")).toBe(
      "must be a ws:// or wss:// URL, e.g. ws://127.0.0.1:8080/path",
    );
    expect(urlProblem("ws://h/a b", "ws")).toBe("must not contain spaces; percent-encode them as %20");
    expect(urlProblem("ws://h%zz/", "ws")).toBe(
      "is not a valid URL; write it as a ws:// or wss:// URL, e.g. ws://host:port/path",
    );
  });
});

describe("displayUrl", () => {
  it("drops credentials, query and fragment", () => {
    expect(displayUrl("wss://user:pw@agent.example:8443/ws?token=abc#x")).toBe("wss://agent.example:8443/ws");
  });

  it("drops them by pattern from a URL that does not parse", () => {
    expect(displayUrl("ws://user:pw@h:99999/ws?token=abc")).toBe("ws://h:99999/ws");
  });
});

describe("redactUrls", () => {
  it("shows every URL in a text without credentials or query, leaving the rest", () => {
    expect(
      redactUrls('could not connect to wss://u:p@lk.example/rtc?access_token=ey.J9 (then "http://x/y?k=1")'),
    ).toBe('could not connect to wss://lk.example/rtc (then "http://x/y")');
    expect(redactUrls("no url here")).toBe("no url here");
    expect(redactUrls("see ws://h/ws?t=1: refused (ws://h/b?t=2).")).toBe(
      "see ws://h/ws: refused (ws://h/b).",
    );
  });
});
