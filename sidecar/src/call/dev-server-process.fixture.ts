/**
 * The LiveKit dev server in its own process for media tests of the caller. In-process, the
 * server's JavaScript SFU shares the event loop with the caller (TTS synthesis blocks it for
 * tens of ms), which adds jitter that real deployments never have; measured 270–380 ms extra
 * agent→caller delay in-process. A child process keeps the caller's timing honest.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { insideMediaNamespace, NETNS_SERVER_IP } from "@spar/devkit/netns";

export interface DevServerProcess {
  url: string;
  apiKey: string;
  apiSecret: string;
  pid: number;
  close(): Promise<void>;
}

export async function startDevServerProcess(
  options: { echoAgentMs?: number; udpReceiveBufferBytes?: number } = {},
): Promise<DevServerProcess> {
  if (!insideMediaNamespace()) {
    throw new Error(
      "media tests must run inside the test network namespace: `npx tsx devkit/src/netns/run-in-netns.ts npx vitest run --config vitest.media.config.ts <file>`",
    );
  }
  const apiKey = "devkey";
  const apiSecret = "devsecret-for-caller-media-tests-0123456789";
  // devkit/src/netns/index.ts → devkit/ (its exports map does not expose package.json).
  const devkit = dirname(dirname(dirname(createRequire(import.meta.url).resolve("@spar/devkit/netns"))));
  const child = spawn(
    process.execPath,
    [
      join(devkit, "bin/livekit-dev-server.mjs"),
      "--port",
      "0",
      "--keys",
      `${apiKey}:${apiSecret}`,
      "--ice-ip",
      NETNS_SERVER_IP,
      // The server goes when this process goes, even killed or crashed: no orphan holding ports.
      "--exit-on-stdin-close",
      ...(options.echoAgentMs === undefined ? [] : ["--echo-agent-ms", String(options.echoAgentMs)]),
      ...(options.udpReceiveBufferBytes === undefined
        ? []
        : ["--udp-receive-buffer", String(options.udpReceiveBufferBytes)]),
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  // The pipe is only held open, never written: it must not keep this process alive.
  (child.stdin as Socket | null)?.unref();
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("dev server did not print its URL within 20 s")), 20_000);
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
    child.once("exit", (code) => reject(new Error(`dev server exited early (${code})`)));
  });
  return {
    url,
    apiKey,
    apiSecret,
    pid: child.pid ?? 0,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    },
  };
}
