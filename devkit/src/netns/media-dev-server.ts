import { type LiveKitDevServer, startLiveKitDevServer } from "../livekit-dev-server/server.ts";
import { insideMediaNamespace, NETNS_SERVER_IP } from "./netns.ts";

export interface MediaDevServer {
  /** ws:// URL for rtc-node's Room.connect and livekit-server-sdk clients. */
  url: string;
  httpUrl: string;
  apiKey: string;
  apiSecret: string;
  server: LiveKitDevServer;
  close(): Promise<void>;
}

/**
 * Starts a LiveKit dev server for a `*.media.test.ts` file: free port, ICE on the namespace's
 * veth address. Fails loudly outside the namespace rather than letting rtc-node time out.
 */
export async function startMediaDevServer(
  opts: { apiKey?: string; apiSecret?: string; echoAgentMs?: number } = {},
): Promise<MediaDevServer> {
  if (!insideMediaNamespace()) {
    throw new Error(
      "media tests must run inside the test network namespace: use `npm test` or " +
        "`npx tsx devkit/src/netns/run-in-netns.ts npx vitest run --config vitest.media.config.ts <file>`",
    );
  }
  const apiKey = opts.apiKey ?? "devkey";
  const apiSecret = opts.apiSecret ?? "devsecret-for-media-tests-0123456789";
  const server = await startLiveKitDevServer({
    keys: new Map([[apiKey, apiSecret]]),
    iceIp: NETNS_SERVER_IP,
    ...(opts.echoAgentMs !== undefined ? { echoAgentMs: opts.echoAgentMs } : {}),
  });
  return { url: server.url, httpUrl: server.httpUrl, apiKey, apiSecret, server, close: () => server.close() };
}
