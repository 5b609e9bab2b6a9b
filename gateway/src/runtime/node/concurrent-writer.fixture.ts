// A second process writing to the same gateway file (libsql-concurrency.test.ts): it opens the
// file, says "ready", waits for "go" on stdin so every writer starts together, then alternates
// credit debits and run-event appends and prints what it got as one JSON line.
import { once } from "node:events";
import { appendRunEvent, debitCredits } from "../../db/index.ts";
import { openLibsqlStorage } from "./libsql-storage.ts";

const [path = "", workspaceId = "0", runId = "0", count = "0"] = process.argv.slice(2);
const storage = await openLibsqlStorage(path);
process.stdout.write("ready\n");
await once(process.stdin, "data");

let debited = 0;
const seqs: number[] = [];
for (let i = 0; i < Number(count); i++) {
  const debit = await debitCredits(storage.db, Number(workspaceId), 1, {
    reason: `pid ${process.pid}`,
    nowMs: i,
  });
  if (debit.ok) debited++;
  else if (debit.reason === "error") throw debit.cause;
  const event = await appendRunEvent(storage.db, Number(workspaceId), Number(runId), {
    type: "transcript",
    data: { pid: process.pid, i },
    nowMs: i,
  });
  if (event !== undefined) seqs.push(event.seq);
}
process.stdout.write(`${JSON.stringify({ debited, seqs })}\n`);
storage.close();
process.stdin.destroy();
