CREATE TABLE `livekit_sessions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`workspace_id` integer NOT NULL,
	`room_name` text NOT NULL,
	`agent_id` integer NOT NULL,
	`user_id` integer NOT NULL,
	`livekit_url` text NOT NULL,
	`created_at_ms` integer NOT NULL,
	`ended_at_ms` integer,
	FOREIGN KEY (`workspace_id`) REFERENCES `workspaces`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `livekit_sessions_room_name` ON `livekit_sessions` (`room_name`);--> statement-breakpoint
CREATE INDEX `livekit_sessions_workspace` ON `livekit_sessions` (`workspace_id`);