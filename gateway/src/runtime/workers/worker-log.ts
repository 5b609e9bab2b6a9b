/**
 * The Log port on Workers: one line per entry on the console (wrangler dev prints it; a deployed
 * Worker's lines go to Workers Logs / `wrangler tail`), the cause written out whole.
 */
import type { Log } from "../../app/http-errors.ts";
import { logLine } from "../../app/log-line.ts";

export const consoleLog: Log = (entry) => {
  const line = `spar ${logLine(entry)}`;
  if (entry.level === "error") console.error(line);
  else if (entry.level === "warn") console.warn(line);
  else console.log(line);
};
