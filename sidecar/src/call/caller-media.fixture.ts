/**
 * Shared set-up of the caller's LiveKit media tests: the dev server in its own process (see
 * dev-server-process.fixture.ts), tokens, a manual-mode voice job, the runner and one run with
 * its events. `useCallerMedia()` registers the server's start and stop with the calling file.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dispose } from "@livekit/rtc-node";
import { type VoiceJob, type VoiceResult, type VoiceRunEventBody, voiceResultSchema } from "@spar/protocol";
import { AccessToken } from "livekit-server-sdk";
import { afterAll, beforeAll } from "vitest";
import { type DevServerProcess, startDevServerProcess } from "./dev-server-process.fixture.ts";
import { LiveKitVoiceCallRunner } from "./livekit-voice-call-runner.ts";

/** Wall time tied to performance.now, so `started_at` maps result times onto the agent's clock (±1 ms). */
export const WALL_OFFSET_MS = Date.now() - performance.now();
export const perfAt = (iso: string) => Date.parse(iso) - WALL_OFFSET_MS;

export interface CallerMedia {
  /** The dev server's URL (after the file's beforeAll). */
  readonly url: string;
  /** Where this file's recordings go. */
  readonly dir: string;
  token(identity: string, room: string, secret?: string): Promise<string>;
  job(room: string, caller: Record<string, unknown>, extra?: Partial<VoiceJob>): Promise<VoiceJob>;
  runner(limits?: Record<string, number>): LiveKitVoiceCallRunner;
  run(r: LiveKitVoiceCallRunner, j: VoiceJob): Promise<{ result: VoiceResult; events: VoiceRunEventBody[] }>;
  nextRoom(): string;
}

export function useCallerMedia(): CallerMedia {
  let server: DevServerProcess | undefined;
  let dir = "";
  let roomCounter = 0;
  beforeAll(async () => {
    server = await startDevServerProcess();
    dir = await mkdtemp(join(tmpdir(), "spar-voice-call-"));
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
    await dispose();
  });
  const started = (): DevServerProcess => {
    if (!server) throw new Error("the dev server is not started: use the media helpers inside tests");
    return server;
  };
  const media: CallerMedia = {
    get url() {
      return started().url;
    },
    get dir() {
      return dir;
    },
    async token(identity, room, secret = started().apiSecret) {
      const at = new AccessToken(started().apiKey, secret, { identity, ttl: "10m" });
      at.addGrant({ roomJoin: true, room });
      return at.toJwt();
    },
    async job(room, caller, extra = {}) {
      return {
        run_id: `run-${room}`,
        scenario: { id: "scn", name: "media test" },
        connection: {
          mode: "manual",
          livekit_room_url: started().url,
          access_token: await media.token("rubric-test-caller", room),
        },
        caller: { greeting_wait_ms: 300, ...caller },
        max_duration_s: 60,
        turn_timeout_ms: 5_000,
        ...extra,
      };
    },
    runner(limits = {}) {
      return new LiveKitVoiceCallRunner({
        recordingsDir: dir,
        stt: "none",
        limits,
        wallNow: () => performance.now() + WALL_OFFSET_MS,
      });
    },
    async run(r, j) {
      const events: VoiceRunEventBody[] = [];
      const result = voiceResultSchema.parse(
        await r.run(j, (e) => events.push(e), new AbortController().signal),
      );
      return { result, events };
    },
    nextRoom: () => `room-${++roomCounter}-${process.pid}`,
  };
  return media;
}
