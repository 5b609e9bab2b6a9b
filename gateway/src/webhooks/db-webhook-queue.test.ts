import { describe, expect, it } from "vitest";
import { createWebhook, getDelivery } from "../db/repositories/webhooks.ts";
import { createWorkspace } from "../db/repositories/workspaces.ts";
import { sealContext } from "../db/sealed-fields.ts";
import { openTempStorage } from "../runtime/node/temp-storage.fixture.ts";
import { createSecretBoxFromKeys } from "../security/secret-box.ts";
import { generateSecretKey } from "../security/secret-key.ts";
import { DbWebhookQueue, dbWebhookTargets } from "./db-webhook-queue.ts";
import { webhookQueueContract } from "./webhook-queue.contract.ts";

const SEALED = { ciphertext: "v1:k:AAAA:BBBB", keyId: "k" };

/** A migrated libSQL file with workspace 1 and its webhooks 1 and 2 (the contract's ids). */
async function openQueue() {
  const storage = await openTempStorage();
  const ws = await createWorkspace(storage.db, { name: "w", nowMs: 0 });
  for (const url of ["http://127.0.0.1:1/a", "http://127.0.0.1:1/b"]) {
    await createWebhook(storage.db, ws.id, { url, events: ["run.finished"], secret: SEALED }, 0);
  }
  return { storage, workspaceId: ws.id, queue: new DbWebhookQueue(storage.db) };
}

webhookQueueContract("libSQL (webhook_deliveries)", async () => {
  const { storage, queue } = await openQueue();
  return { queue, close: () => storage.dispose() };
});

describe("DbWebhookQueue on libSQL", () => {
  it("stores the event type and counts claims apart from failures", async () => {
    const { storage, workspaceId, queue } = await openQueue();
    try {
      await queue.enqueue({
        webhookId: 2,
        eventId: "evt_t",
        type: "test_run.finished",
        body: "{}",
        createdAtMs: 5,
      });
      const [first] = await queue.claimDue(5, 1, 100);
      await queue.claimDue(105, 1, 100); // the first claimer died: its lease ran out
      const row = await getDelivery(storage.db, workspaceId, first!.id);
      expect(row).toMatchObject({
        type: "test_run.finished",
        attempts: 2,
        failedAttempts: 0,
        nextAttemptAtMs: 5,
        leasedUntilMs: 205,
      });
      expect(await queue.releaseLeases()).toBe(1);
      expect(await getDelivery(storage.db, workspaceId, first!.id)).toMatchObject({
        attempts: 2,
        nextAttemptAtMs: 5,
        leasedUntilMs: null,
      });
    } finally {
      await storage.dispose();
    }
  });

  it("queues nothing for a webhook that no longer exists", async () => {
    const { storage, queue } = await openQueue();
    try {
      await queue.enqueue({
        webhookId: 99,
        eventId: "evt_x",
        type: "run.finished",
        body: "{}",
        createdAtMs: 5,
      });
      expect(await queue.claimDue(10, 10, 100)).toEqual([]);
    } finally {
      await storage.dispose();
    }
  });

  it("finds a webhook's URL and opens its secret for the deliverer, whatever its workspace", async () => {
    const storage = await openTempStorage();
    try {
      const box = await createSecretBoxFromKeys(generateSecretKey());
      await createWorkspace(storage.db, { name: "first", nowMs: 0 });
      const ws = await createWorkspace(storage.db, { name: "second", nowMs: 0 });
      const sealed = await box.seal("whsec_abc", sealContext(ws.id, "webhook.secret"));
      const hook = await createWebhook(
        storage.db,
        ws.id,
        {
          url: "http://127.0.0.1:9/hook",
          events: ["run.finished"],
          secret: { ciphertext: sealed, keyId: box.currentKeyId },
        },
        0,
      );
      const targets = dbWebhookTargets(storage.db, box);
      expect(await targets(hook.id)).toEqual({ url: "http://127.0.0.1:9/hook", secret: "whsec_abc" });
      expect(await targets(hook.id + 1)).toBeUndefined();
    } finally {
      await storage.dispose();
    }
  });
});
