import { defineConfig } from "vitest/config";

// Media tests (real rtc-node over WebRTC) run inside a private network namespace; see
// devkit/src/netns. One file at a time: rtc-node's native runtime is per process and CPU is shared.
export default defineConfig({
  test: {
    // Builds the dashboard bundle the gateway imports when its sources changed (a fresh clone too).
    globalSetup: ["gateway/src/dashboard/build-dashboard.mjs"],
    include: [
      "{protocol,caller,gateway,sidecar,cli,devkit}/src/**/*.media.test.ts",
      "test/**/*.media.test.ts",
    ],
    exclude: ["**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    pool: "forks",
    // No retry: the one flake that had one (the dev server's subscriber PC failing at a join) was
    // a transport race, fixed in devkit/src/livekit-dev-server/peer-config.ts.
  },
});
