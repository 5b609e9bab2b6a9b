CREATE TABLE `voice_jobs` (
	`run_id` integer PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`plan_ciphertext` text NOT NULL,
	`plan_key_id` text NOT NULL,
	`state` text NOT NULL,
	`sidecar_url` text,
	`attempts` integer NOT NULL,
	`next_attempt_at_ms` integer NOT NULL,
	`posted_at_ms` integer,
	`last_error` text,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `voice_jobs_state_next` ON `voice_jobs` (`state`,`next_attempt_at_ms`);