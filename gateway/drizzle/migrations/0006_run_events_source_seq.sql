ALTER TABLE `run_events` ADD `source_seq` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `run_events_run_source_seq` ON `run_events` (`run_id`,`source_seq`);