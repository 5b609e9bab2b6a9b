import type { RoomRegistry } from "./room-registry.ts";

export interface WebhookOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
}

/** Placeholder committed early so the server can wire it in; delivery follows. Returns stop. */
export function startWebhooks(registry: RoomRegistry, opts: WebhookOptions): () => void {
  void registry;
  void opts;
  return () => {};
}
