/**
 * Node's voice platform: jobs posted to sidecars (the one `spar serve` runs in-process, or the
 * remote SPAR_SIDECARS), the durable queue pumped on a timer and whenever runs start, each
 * accepted job's live events followed, recordings as files under `<data>/recordings`.
 */
import { join } from "node:path";
import type { RunEventBuffer } from "../../runs/run-event-buffer.ts";
import type { SettlementDeps } from "../../runs/run-settlement.ts";
import type { SecretBox } from "../../security/secret-box.ts";
import type { SidecarTarget } from "../../voice/sidecar-client.ts";
import {
  DEFAULT_CANCEL_WAIT_MS,
  DEFAULT_VOICE_MAX_DURATION_S,
  startVoiceRuns,
} from "../../voice/start-voice-runs.ts";
import { VOICE_RESULTS_PATH, VoiceDispatcher } from "../../voice/voice-dispatcher.ts";
import type { VoicePlatform } from "../../voice/voice-platform.ts";
import { FileRecordingStore } from "./file-recording-store.ts";

export interface NodeVoiceOptions {
  /**
   * Sidecar job API URLs and their shared token; none → voice test runs answer 400. `startOne`:
   * a sidecar this process starts itself, the first time a voice run needs it (loading the media
   * stack costs seconds a text-only gateway should not pay).
   */
  sidecars:
    | { urls: readonly string[]; token: string }
    | { startOne: () => Promise<string>; token: string }
    | undefined;
  dataDir: string;
  secrets: SecretBox;
  settlement: SettlementDeps & { events: RunEventBuffer };
  checkUrl: (url: string) => Promise<string | undefined>;
  maxDurationS?: number | undefined;
  deadlineGraceMs: number;
  pumpEveryMs?: number | undefined;
  onTiming?: ((stage: "accepted" | "settled", runId: number, ms: number) => void) | undefined;
  log: (message: string, cause?: unknown) => void;
}

export interface NodeVoice {
  platform: VoicePlatform;
  /** Once listening: where sidecars deliver results (the listening URL for a loopback sidecar). */
  start(resultBaseUrl: string): void;
  close(): Promise<void>;
}

export function createNodeVoice(o: NodeVoiceOptions): NodeVoice {
  const recordings = new FileRecordingStore(join(o.dataDir, "recordings"));
  const sidecars = o.sidecars;
  let resultBaseUrl: string | undefined;
  let dispatcher: Promise<VoiceDispatcher> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const dispatcherFor = (urls: readonly string[], token: string, baseUrl: string) =>
    new VoiceDispatcher({
      secrets: o.secrets,
      settlement: o.settlement,
      sidecars: urls.map((url): SidecarTarget => ({ url: url.replace(/\/+$/, ""), token })),
      resultUrl: () => `${baseUrl}${VOICE_RESULTS_PATH}`,
      fetch: globalThis.fetch,
      addEvent: (event) => o.settlement.events.add(event),
      follow: "here",
      deadlineGraceMs: o.deadlineGraceMs,
      checkUrl: o.checkUrl,
      ...(o.onTiming
        ? { onAccepted: (runId: number, ms: number) => o.onTiming?.("accepted", runId, ms) }
        : {}),
      log: o.log,
    });
  /** The dispatcher once listening; an in-process sidecar is started by the first call. */
  const ensureDispatcher = (): Promise<VoiceDispatcher> | undefined => {
    if (dispatcher !== undefined || sidecars === undefined || resultBaseUrl === undefined) return dispatcher;
    const baseUrl = resultBaseUrl;
    dispatcher =
      "urls" in sidecars
        ? Promise.resolve(dispatcherFor(sidecars.urls, sidecars.token, baseUrl))
        : sidecars.startOne().then((url) => dispatcherFor([url], sidecars.token, baseUrl));
    dispatcher.catch((cause: unknown) => o.log("the in-process voice sidecar did not start", cause));
    return dispatcher;
  };
  const pump = () => {
    ensureDispatcher()
      ?.then((d) => d.pump())
      .catch((cause: unknown) => o.log("the voice job queue could not be pumped", cause));
  };
  const configured = sidecars !== undefined && (!("urls" in sidecars) || sidecars.urls.length > 0);
  const platform: VoicePlatform = {
    unavailable: configured
      ? undefined
      : "no voice sidecar is configured: set SPAR_SIDECARS and SPAR_SIDECAR_TOKEN",
    maxDurationS: o.maxDurationS ?? DEFAULT_VOICE_MAX_DURATION_S,
    deadlineGraceMs: o.deadlineGraceMs,
    start: (starts) => startVoiceRuns({ secrets: o.secrets, settlement: o.settlement, wake: pump }, starts),
    async cancel(runIds) {
      const d = await ensureDispatcher()?.catch(() => undefined);
      return d === undefined ? [] : d.cancel(runIds);
    },
    cancelWaitMs: DEFAULT_CANCEL_WAIT_MS,
    sidecarToken: sidecars?.token,
    results: {
      secrets: o.secrets,
      settlement: o.settlement,
      recordings,
      flushEvents: () => o.settlement.events.flush(),
    },
    recordings,
    ...(o.onTiming ? { onSettled: (runId: number, ms: number) => o.onTiming?.("settled", runId, ms) } : {}),
  };
  return {
    platform,
    start(baseUrl) {
      if (!configured) return;
      resultBaseUrl = baseUrl;
      // Remote sidecars: pump now (and on a timer); an in-process one waits for its first run.
      if (sidecars !== undefined && "urls" in sidecars) ensureDispatcher();
      timer = setInterval(() => {
        if (dispatcher !== undefined) pump();
      }, o.pumpEveryMs ?? 1_000);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      const d = await dispatcher?.catch(() => undefined);
      await d?.close();
    },
  };
}
