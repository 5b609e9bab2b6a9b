// Composition root of the standalone `livekit-dev-server` command (see devkit/bin).
import { parseCliArgs } from "./cli-args.ts";
import { startLiveKitDevServer } from "./server.ts";

const parsed = parseCliArgs(process.argv.slice(2));
if (!parsed.ok) {
  (parsed.help ? process.stdout : process.stderr).write(`${parsed.message}\n`);
  process.exit(parsed.help ? 0 : 2);
}
const { options } = parsed;
let server: Awaited<ReturnType<typeof startLiveKitDevServer>>;
try {
  server = await startLiveKitDevServer({
    port: options.port,
    host: options.host,
    keys: options.keys,
    ...(options.iceIp ? { iceIp: options.iceIp } : {}),
    ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}),
    ...(options.echoAgentMs !== undefined ? { echoAgentMs: options.echoAgentMs } : {}),
    ...(options.udpReceiveBufferBytes !== undefined
      ? { udpReceiveBufferBytes: options.udpReceiveBufferBytes }
      : {}),
  });
} catch (err) {
  process.stderr.write(
    `livekit-dev-server: could not start: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
}
process.stderr.write(
  `livekit-dev-server: listening (dev/test only; production uses LiveKit Cloud or livekit-server), keys: ${[...options.keys.keys()].join(", ")}\n`,
);
process.stdout.write(`${server.url}\n`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(1), 5_000);
  force.unref();
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, stop);
if (options.exitOnStdinClose) {
  // The parent's end of the pipe closes when the parent exits, crashes or is killed.
  process.stdin.on("end", stop);
  process.stdin.on("error", stop);
  process.stdin.resume();
}
