import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{protocol,caller,gateway,sidecar,cli,devkit}/src/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/*.media.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
