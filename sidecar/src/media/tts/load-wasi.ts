import { createRequire } from "node:module";
import type { WASI } from "node:wasi";

const WASI_WARNING = "WASI is an experimental feature and might change at any time";

/**
 * Node's WASI class, loaded without the one-line ExperimentalWarning Node 20 prints to stderr the
 * first time `node:wasi` loads — noise in the middle of `spar run`'s output, in every process that
 * speaks with flite (the CLI, the sidecar, the reference voice bot, the TTS child process).
 *
 * Why a filter here and not `--disable-warning=ExperimentalWarning`: that flag would have to be on
 * the command line of every process that may load flite, including ones we do not start (tsx
 * scripts, test runners, a user's own script), and it silences every experimental feature, not
 * only this one. Node emits the warning through `process.emitWarning` synchronously while the
 * module loads, so a synchronous require with that one message dropped hides exactly it and
 * nothing else; Node records the feature as warned, so it never comes later either.
 */
export function loadWasi(): typeof WASI {
  loaded ??= requireWithoutWarning();
  return loaded;
}

let loaded: typeof WASI | undefined;

function requireWithoutWarning(): typeof WASI {
  const emitWarning = process.emitWarning;
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const message = typeof warning === "string" ? warning : warning.message;
    if (message !== WASI_WARNING) Reflect.apply(emitWarning, process, [warning, ...rest]);
  };
  try {
    const wasi: { WASI: typeof WASI } = createRequire(import.meta.url)("node:wasi");
    return wasi.WASI;
  } finally {
    process.emitWarning = emitWarning;
  }
}
