/**
 * The voice half of `npm start`, run inside a private network namespace (libwebrtc ignores
 * loopback): the LiveKit dev server, the reference voice bot in a room, and the real
 * `spar run` on examples/quickstart-voice.yaml with the caller joining that room.
 */
import { randomBytes } from "node:crypto";
import { main, ProcessResources } from "@spar/cli";
import { startMediaDevServer } from "@spar/devkit/netns";
import { startReferenceVoiceBot } from "@spar/devkit/reference-voice-bot";
import { setRtcLogLevel } from "@spar/sidecar";
import { AccessToken } from "livekit-server-sdk";

const verbose = process.argv.includes("--verbose") ? ["--verbose"] : [];
// The bot below joins its room (and rtc-node logs that) before `spar run` sets the level itself.
setRtcLogLevel(verbose.length > 0 ? "debug" : "error");

const BOT_LATENCY_MS = 600;
process.stdout.write(
  `\n── voice: examples/quickstart-voice.yaml, against the reference voice bot (it answers ${BOT_LATENCY_MS} ms after the caller stops) ──\n`,
);
const server = await startMediaDevServer({ apiSecret: randomBytes(24).toString("hex") });
const room = `quickstart-${randomBytes(4).toString("hex")}`;
const botToken = new AccessToken(server.apiKey, server.apiSecret, {
  identity: "reference-voice-bot",
  ttl: "10m",
});
botToken.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true, canPublishData: true });
const bot = await startReferenceVoiceBot({
  url: server.url,
  token: await botToken.toJwt(),
  latencyMs: BOT_LATENCY_MS,
});

const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted (Ctrl-C)")));
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
const resources = new ProcessResources();
const REPORT = ".spar/quickstart-voice-report.json";
const run = () =>
  main(["run", "examples/quickstart-voice.yaml", "--report-json", REPORT, ...verbose], {
    env: {
      ...process.env,
      SPAR_LIVEKIT_URL: server.url,
      SPAR_LIVEKIT_API_KEY: server.apiKey,
      SPAR_LIVEKIT_API_SECRET: server.apiSecret,
      SPAR_VOICE_ROOM: room,
    },
    stdout: process.stdout,
    stderr: process.stderr,
    interactive,
    color: interactive && !process.env.NO_COLOR,
    outputDir: ".spar",
    atExit: resources.atExit,
    signal: abort.signal,
  });

let code = 2;
try {
  code = await run();
} finally {
  await bot.close();
  await server.close();
  await resources.release();
}
process.exitCode = code;
// Never hang the quickstart on a handle a failed call left behind (see cli/src/main.ts).
setTimeout(() => process.exit(), 2000).unref();
