import { spawn } from "node:child_process";
import { networkInterfaces } from "node:os";

/** Addresses of the private veth pair; nothing in the namespace can reach anything else. */
export const NETNS_SERVER_IP = "10.77.0.1";
export const NETNS_CLIENT_IP = "10.77.0.2";

/**
 * libwebrtc (inside rtc-node) ignores loopback when gathering ICE candidates, so media tests
 * run in a fresh network namespace holding only `lo` and a veth pair.
 */
const SETUP = [
  "ip link set lo up",
  "ip link add v0 type veth peer name v1",
  `ip addr add ${NETNS_SERVER_IP}/24 dev v0`,
  `ip addr add ${NETNS_CLIENT_IP}/24 dev v1`,
  "ip link set v0 up",
  "ip link set v1 up",
].join(" && ");

/** True when this process already sees the namespace's veth addresses. */
export function insideMediaNamespace(): boolean {
  const all = Object.values(networkInterfaces()).flatMap((list) => list ?? []);
  return all.some((a) => a.address === NETNS_SERVER_IP) && all.some((a) => a.address === NETNS_CLIENT_IP);
}

/**
 * Runs `command args…` inside a new network namespace (or directly, if already inside one) and
 * resolves with its exit code. Needs root or CAP_NET_ADMIN plus `unshare` (util-linux) and `ip`
 * (iproute2); a missing tool ends with exit code 127 and a message saying what to install.
 */
export function runInMediaNamespace(
  command: string,
  args: readonly string[],
  opts: { cwd?: string } = {},
): Promise<number> {
  const [file, argv] = insideMediaNamespace()
    ? [command, [...args]]
    : ["unshare", ["-n", "--", "sh", "-c", `${SETUP} && exec "$@"`, "spar-netns", command, ...args]];
  return new Promise((resolve) => {
    const child = spawn(file, argv, { stdio: "inherit", ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    child.on("error", (err) => {
      console.error(
        `[netns] could not start ${file}: ${err.message}. Media tests need root and the tools ` +
          "`unshare` and `ip` (Debian/Ubuntu: apt-get install -y util-linux iproute2).",
      );
      resolve(127);
    });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 + 1 : 1)));
  });
}
