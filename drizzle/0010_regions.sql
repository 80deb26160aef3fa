CREATE TABLE "promise_regions" (
	"promise_id" uuid NOT NULL,
	"region" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"consecutive_broken" integer DEFAULT 0 NOT NULL,
	"consecutive_kept" integer DEFAULT 0 NOT NULL,
	"open_break_id" uuid,
	"last_run_id" uuid,
	"last_run_at" timestamp with time zone,
	"not_walked_told_at" timestamp with time zone,
	CONSTRAINT "promise_regions_promise_id_region_pk" PRIMARY KEY("promise_id","region")
);
--> statement-breakpoint
DROP INDEX "breaks_one_open_idx";--> statement-breakpoint
ALTER TABLE "breaks" ADD COLUMN "region" text DEFAULT 'local' NOT NULL;--> statement-breakpoint
ALTER TABLE "promises" ADD COLUMN "regions" jsonb DEFAULT '["local"]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "promise_regions" ADD CONSTRAINT "promise_regions_promise_id_promises_id_fk" FOREIGN KEY ("promise_id") REFERENCES "public"."promises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "breaks_one_open_region_idx" ON "breaks" USING btree ("promise_id","region") WHERE "breaks"."resolved_at" is null;--> statement-breakpoint
-- Before regions every walk was the region local's: its verdict is the promise's.
INSERT INTO "promise_regions" ("promise_id", "region", "state", "consecutive_broken", "consecutive_kept", "open_break_id", "last_run_id", "last_run_at")
SELECT "id", 'local', "state", "consecutive_broken", "consecutive_kept", "open_break_id", "last_run_id", "last_run_at" FROM "promises";
