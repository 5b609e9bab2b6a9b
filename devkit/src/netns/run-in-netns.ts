// Usage: tsx devkit/src/netns/run-in-netns.ts <command> [args…]
// Runs the command inside a private network namespace with a veth pair (see netns.ts).
import { runInMediaNamespace } from "./netns.ts";

const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error(
    "usage: run-in-netns <command> [args…] — e.g. run-in-netns npx vitest run --config vitest.media.config.ts",
  );
  process.exit(2);
}
process.exit(await runInMediaNamespace(command, args));
