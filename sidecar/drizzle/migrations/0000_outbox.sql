CREATE TABLE `job_results` (
	`run_id` text PRIMARY KEY NOT NULL,
	`result_json` text NOT NULL,
	`created_at_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `outbox_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`idempotency_key` text NOT NULL,
	`target_url` text NOT NULL,
	`payload_json` text NOT NULL,
	`attachments_json` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at_ms` integer NOT NULL,
	`last_error` text,
	`created_at_ms` integer NOT NULL,
	`delivered_at_ms` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_deliveries_idempotency_key_unique` ON `outbox_deliveries` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `outbox_due` ON `outbox_deliveries` (`status`,`next_attempt_at_ms`);