import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { NETNS_SERVER_IP } from "@spar/devkit/netns";

export interface DevServerProcess {
  url: string;
  apiKey: string;
  apiSecret: string;
  close(): Promise<void>;
}

/**
 * The LiveKit dev server in its own process: its JavaScript media path (werift, SRTP) then does
 * not share an event loop with the caller and bot whose timing is being measured.
 */
export async function startDevServerProcess(): Promise<DevServerProcess> {
  const apiKey = "devkey";
  const apiSecret = "accuracy-secret-0123456789abcdef";
  const bin = new URL("../../devkit/bin/livekit-dev-server.mjs", import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [bin, "--port", "0", "--keys", `${apiKey}:${apiSecret}`, "--ice-ip", NETNS_SERVER_IP],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (code) => reject(new Error(`dev server exited early (${code})`)));
  });
  return {
    url,
    apiKey,
    apiSecret,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
