/**
 * Server-Sent Events read from a fetch stream: EventSource cannot send the API key header. Pure
 * parsing of the `text/event-stream` format (fields `id`, `event`, `data`; blank line ends an
 * event; `:` lines are comments), fed chunk by chunk.
 */
export interface ServerSentEvent {
  id: string | null;
  event: string;
  data: string;
}

export class EventStreamParser {
  private buffer = "";
  private id: string | null = null;
  private event = "";
  private data: string[] = [];

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): ServerSentEvent[] {
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const newline = this.buffer.search(/\r\n|\r|\n/);
      if (newline < 0) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      const event = this.line(line);
      if (event !== null) events.push(event);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | null {
    if (line === "") {
      if (this.data.length === 0) {
        this.event = "";
        return null;
      }
      const event = { id: this.id, event: this.event || "message", data: this.data.join("\n") };
      this.event = "";
      this.data = [];
      return event;
    }
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id" && !value.includes("\0")) this.id = value;
    return null;
  }
}

/** Reads `path` as an event stream with `headers`, calling `onEvent` until it ends or `signal` aborts. */
export async function readEventStream(
  path: string,
  headers: Record<string, string>,
  onEvent: (event: ServerSentEvent) => void,
  signal: AbortSignal,
): Promise<Response> {
  const res = await fetch(path, { headers: { ...headers, Accept: "text/event-stream" }, signal });
  if (!res.ok || res.body === null) return res;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new EventStreamParser();
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) return res;
    for (const event of parser.push(chunk.value)) onEvent(event);
  }
}
