import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayEnv } from "../../config/gateway-config.ts";
import { claimDueDeliveries, enqueueDelivery, getDelivery } from "../../db/repositories/webhooks.ts";
import { startWebhookReceiver } from "../../webhooks/webhook-receiver.fixture.ts";
import { openLibsqlStorage } from "./libsql-storage.ts";
import { startGateway } from "./start-gateway.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "spar-serve-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start() {
  const parsed = parseGatewayEnv({});
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return startGateway({
    port: 0,
    host: "127.0.0.1",
    dataDir: dir,
    config: parsed.config,
    log: () => undefined,
  });
}

describe("startGateway (spar serve on Node)", () => {
  it("creates the default workspace's key on the first start only, in a 0600 file, and answers with it over HTTP", async () => {
    const first = await start();
    try {
      expect(first.firstStartKey).toMatch(/^spar_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/);
      expect((await readFile(first.apiKeyFile, "utf8")).trim()).toBe(first.firstStartKey);
      expect((await stat(first.apiKeyFile)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, "secret.key"))).mode & 0o777).toBe(0o600);
      const health = await fetch(`${first.url}/healthz`);
      expect(health.status).toBe(200);
      const authed = await fetch(`${first.url}/v1/no-such-route`, {
        headers: { "X-API-Key": first.firstStartKey ?? "" },
      });
      expect(authed.status).toBe(404);
      const anonymous = await fetch(`${first.url}/v1/no-such-route`);
      expect(anonymous.status).toBe(401);
    } finally {
      await first.close();
    }
    const second = await start();
    try {
      expect(second.firstStartKey).toBeUndefined();
      const key = (await readFile(second.apiKeyFile, "utf8")).trim();
      const again = await fetch(`${second.url}/v1/no-such-route`, {
        headers: { Authorization: `Bearer ${key}` },
      });
      expect(again.status).toBe(404);
    } finally {
      await second.close();
    }
  });

  it("sends at once, after a start, a delivery a process that died mid-attempt had claimed", async () => {
    const receiver = await startWebhookReceiver();
    const first = await start();
    let made: Response;
    try {
      const key = (await readFile(first.apiKeyFile, "utf8")).trim();
      made = await fetch(`${first.url}/v1/webhooks`, {
        method: "POST",
        headers: { "X-API-Key": key, "Content-Type": "application/json" },
        body: JSON.stringify({ url: receiver.url, events: ["run.finished"] }),
      });
    } finally {
      await first.close();
    }
    expect(made.status).toBe(201);
    const webhookId = ((await made.json()) as { id: number }).id;
    // What a killed process leaves: a delivery claimed for an hour, its attempt never ended.
    const crashed = await openLibsqlStorage(join(dir, "gateway.db"));
    await enqueueDelivery(crashed.db, 1, {
      webhookId,
      eventId: "evt_orphaned",
      type: "run.finished",
      body: '{"id":"evt_orphaned"}',
      nowMs: Date.now(),
    });
    const [claimed] = await claimDueDeliveries(crashed.db, {
      nowMs: Date.now(),
      leaseMs: 3_600_000,
      limit: 1,
    });
    crashed.close();
    const second = await start();
    try {
      for (let i = 0; i < 50 && receiver.received.length === 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(receiver.received.map((r) => r.headers["spar-event-id"])).toEqual(["evt_orphaned"]);
      const storage = await openLibsqlStorage(join(dir, "gateway.db"));
      try {
        expect(await getDelivery(storage.db, 1, claimed?.id ?? 0)).toMatchObject({
          status: "delivered",
          attempts: 2,
        });
      } finally {
        storage.close();
      }
    } finally {
      await second.close();
      await receiver.close();
    }
  });
});
