import { MemoryWebhookQueue } from "./memory-webhook-queue.fixture.ts";
import { webhookQueueContract } from "./webhook-queue.contract.ts";

webhookQueueContract("in-memory fake", async () => ({ queue: new MemoryWebhookQueue() }));
