DROP INDEX `runs_test_run`;--> statement-breakpoint
CREATE INDEX `runs_test_run_outcome` ON `runs` (`test_run_id`,`workspace_id`,`status`,`passed`);