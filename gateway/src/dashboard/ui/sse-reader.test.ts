import { describe, expect, it } from "vitest";
import { EventStreamParser } from "./sse-reader.ts";

describe("EventStreamParser", () => {
  it("assembles events split across chunks, with ids, names and multi-line data", () => {
    const parser = new EventStreamParser();
    expect(parser.push("id: 1\nevent: sta")).toEqual([]);
    expect(parser.push('tus\ndata: {"status":"running"}\n\n: keep-alive\n\nid: 2\r\n')).toEqual([
      { id: "1", event: "status", data: '{"status":"running"}' },
    ]);
    expect(parser.push("event: transcript\r\ndata: a\r\ndata: b\r\n\r\n")).toEqual([
      { id: "2", event: "transcript", data: "a\nb" },
    ]);
  });

  it("names an event without an event field `message` and drops an event without data", () => {
    const parser = new EventStreamParser();
    expect(parser.push("event: ended\n\ndata:x\n\n")).toEqual([{ id: null, event: "message", data: "x" }]);
  });
});
