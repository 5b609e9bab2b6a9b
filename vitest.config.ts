import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Builds the dashboard bundle the gateway imports when its sources changed (a fresh clone too).
    globalSetup: ["gateway/src/dashboard/build-dashboard.mjs"],
    include: ["{protocol,caller,gateway,sidecar,cli,devkit}/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.media.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
