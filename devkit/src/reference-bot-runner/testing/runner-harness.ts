import { RoomServiceClient, TokenVerifier } from "livekit-server-sdk";
import {
  type ApiTestServer,
  startApiTestServer,
  TEST_KEY,
  TEST_SECRET,
} from "../../livekit-dev-server/twirp/test-api-server.ts";
import type { ReferenceVoiceBotOptions } from "../../reference-voice-bot/index.ts";
import type { BotCall } from "../bot-fleet.ts";
import { mintJoinToken } from "../livekit-tokens.ts";
import type { CallEnd } from "../room-watch.ts";
import {
  type ReferenceBotRunner,
  type ReferenceBotRunnerOptions,
  startReferenceBotRunner,
} from "../start-reference-bot-runner.ts";

/**
 * A runner on loopback against the dev server's Server API, with bots that "join" through its
 * signalling port without WebRTC (after checking the runner gave them a token the server
 * accepts): the fast tests' harness. Media is proved by the *.media.test.ts files.
 */
export class RunnerHarness {
  runner: ReferenceBotRunner | undefined;
  readonly started: ReferenceVoiceBotOptions[] = [];
  readonly closed: string[] = [];
  readonly ended: { room: string; reason: CallEnd | "runner_closed" }[] = [];
  readonly calls: BotCall[] = [];
  failJoin = false;
  /** When set, bots wait for it before they join (a slow join). */
  joinGate: Promise<void> | undefined;
  readonly rooms: RoomServiceClient;

  private constructor(readonly server: ApiTestServer) {
    this.rooms = new RoomServiceClient(server.url, TEST_KEY, TEST_SECRET);
  }

  static async create(): Promise<RunnerHarness> {
    return new RunnerHarness(await startApiTestServer());
  }

  get wsUrl(): string {
    return this.server.url.replace("http", "ws");
  }

  readonly startBot = async (options: ReferenceVoiceBotOptions): Promise<{ close(): Promise<void> }> => {
    this.started.push(options);
    await this.joinGate;
    if (this.failJoin) throw new Error("connection refused");
    const claims = await new TokenVerifier(TEST_KEY, TEST_SECRET).verify(options.token);
    const room = claims.video?.room ?? "";
    const session = this.server.join(room, claims.sub ?? "");
    return {
      close: async () => {
        this.closed.push(room);
        this.server.registry.depart(room, session);
      },
    };
  };

  async start(extra: Partial<ReferenceBotRunnerOptions> = {}): Promise<ReferenceBotRunner> {
    this.runner = await startReferenceBotRunner({
      livekitUrl: this.wsUrl,
      apiKey: TEST_KEY,
      apiSecret: TEST_SECRET,
      startBot: this.startBot,
      pollMs: 50,
      botOptionsFor: (call) => {
        this.calls.push(call);
        return { lines: ["Hello."] };
      },
      onBotEnded: (call, reason) => this.ended.push({ room: call.roomName, reason }),
      ...extra,
    });
    return this.runner;
  }

  async post(
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.runner?.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  mint(identity: string, room: string): Promise<string> {
    return mintJoinToken({ apiKey: TEST_KEY, apiSecret: TEST_SECRET, identity, room });
  }

  async close(): Promise<void> {
    await this.runner?.close();
    this.runner = undefined;
    await this.server.close();
  }
}

export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
