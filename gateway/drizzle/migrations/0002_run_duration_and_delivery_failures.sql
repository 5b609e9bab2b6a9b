ALTER TABLE `runs` ADD `duration_ms` real;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `failed_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `webhook_deliveries` ADD `first_failed_at_ms` integer;