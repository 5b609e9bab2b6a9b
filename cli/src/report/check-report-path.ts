/**
 * A report path is checked before any run starts: finding out after a 20-minute batch that
 * `--junit` names a folder loses the batch's results.
 */
import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../usage-error.ts";

/** Throws a one-line UsageError naming the flag when `path` cannot be written as a report file. */
export async function checkReportPath(flag: string, path: string, example: string): Promise<void> {
  const where = `${flag} ${path}`;
  const target = resolve(path);
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) {
    throw new UsageError(`${where}: is a directory; give a file path such as ${join(path, example)}`);
  }
  if (existing && !existing.isFile()) {
    throw new UsageError(`${where}: is not a regular file; give a file path such as ${example}`);
  }
  if (existing && !(await writable(target, constants.W_OK))) {
    throw new UsageError(`${where}: the file is not writable; fix its permissions or pick another path`);
  }
  // The report is written through a temp file beside it, so its folder must exist (or be
  // creatable: the nearest existing ancestor is a writable folder).
  let ancestor = dirname(target);
  let info = await stat(ancestor).catch(() => undefined);
  while (!info && dirname(ancestor) !== ancestor) {
    ancestor = dirname(ancestor);
    info = await stat(ancestor).catch(() => undefined);
  }
  if (info && !info.isDirectory()) {
    throw new UsageError(
      `${where}: cannot create its folder because ${ancestor} is a file; pick another path`,
    );
  }
  if (!(await writable(ancestor, constants.W_OK | constants.X_OK))) {
    throw new UsageError(`${where}: cannot write in ${ancestor} (permission denied); pick another path`);
  }
}

async function writable(path: string, mode: number): Promise<boolean> {
  return access(path, mode).then(
    () => true,
    () => false,
  );
}
