/**
 * Child process for the crash test: a sidecar reduced to its outbox. Modes:
 * - `commit`: write the result + delivery, print `committed`, then idle until killed.
 * - `commit-and-deliver`: the same, then run the deliverer (the test kills it mid-request).
 * - `deliver`: a restarted sidecar: drain the outbox, print `delivered`, exit.
 */
import { z } from "zod";
import { openOutboxDatabase } from "./database.ts";
import { OutboxDeliverer } from "./deliverer.ts";
import { HttpDeliverySender } from "./http-delivery-sender.ts";
import { OutboxStore } from "./outbox-store.ts";

const [mode, dbUrl, targetUrl, runId] = z
  .tuple([z.enum(["commit", "commit-and-deliver", "deliver"]), z.string(), z.string(), z.string()])
  .parse(process.argv.slice(2));
const key = `voice-result:${runId}`;
const { db } = await openOutboxDatabase(dbUrl);
const store = new OutboxStore(db);
const deliverer = new OutboxDeliverer({
  store,
  sender: new HttpDeliverySender({ requestTimeoutMs: 30_000 }),
  clock: { now: () => Date.now() },
  random: Math.random,
  backoff: { baseMs: 50, maxMs: 500, maxAttempts: 20 },
  pollIntervalMs: 50,
});

if (mode !== "deliver") {
  const payloadJson = JSON.stringify({ run_id: runId });
  await store.commitResult(
    runId,
    payloadJson,
    { idempotencyKey: key, targetUrl, payloadJson, attachments: [] },
    Date.now(),
  );
  process.stdout.write("committed\n");
  if (mode === "commit") setInterval(() => {}, 60_000);
  else deliverer.start();
} else {
  deliverer.start();
  const poll = setInterval(() => {
    void store.deliveryState(key).then(async (state) => {
      if (state?.status !== "delivered") return;
      clearInterval(poll);
      await deliverer.stop();
      process.stdout.write("delivered\n");
      process.exit(0);
    });
  }, 20);
}
