/**
 * The voice half of `npm start`, run inside a private network namespace (libwebrtc ignores
 * loopback): the LiveKit dev server, the reference voice bot in a room, and the real
 * `spar run` on examples/quickstart-voice.yaml with the caller joining that room.
 */
import { randomBytes } from "node:crypto";
import { main, ProcessResources } from "@spar/cli";
import { startMediaDevServer } from "@spar/devkit/netns";
import { startReferenceVoiceBot } from "@spar/devkit/reference-voice-bot";
import { AccessToken } from "livekit-server-sdk";

const server = await startMediaDevServer({ apiSecret: randomBytes(24).toString("hex") });
const room = `quickstart-${randomBytes(4).toString("hex")}`;
const botToken = new AccessToken(server.apiKey, server.apiSecret, {
  identity: "reference-voice-bot",
  ttl: "10m",
});
botToken.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: true, canPublishData: true });
const bot = await startReferenceVoiceBot({ url: server.url, token: await botToken.toJwt(), latencyMs: 600 });
process.stdout.write(
  `LiveKit dev server on ${server.url}; reference voice bot in room ${room} (replies 600 ms after you stop)\n`,
);

const abort = new AbortController();
process.once("SIGINT", () => abort.abort(new Error("interrupted (Ctrl-C)")));
const interactive = Boolean(process.stdout.isTTY) && !process.env.CI;
const resources = new ProcessResources();
let code = 2;
try {
  code = await main(
    ["run", "examples/quickstart-voice.yaml", "--report-json", ".spar/quickstart-voice-report.json"],
    {
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
    },
  );
} finally {
  await bot.close();
  await server.close();
  await resources.release();
}
process.exitCode = code;
// Never hang the quickstart on a handle a failed call left behind (see cli/src/main.ts).
setTimeout(() => process.exit(), 2000).unref();
