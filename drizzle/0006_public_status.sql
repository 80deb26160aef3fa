CREATE TABLE "run_rollups_daily" (
	"promise_id" uuid NOT NULL,
	"day" date NOT NULL,
	"runs" integer DEFAULT 0 NOT NULL,
	"kept" integer DEFAULT 0 NOT NULL,
	"at_risk" integer DEFAULT 0 NOT NULL,
	"broken" integer DEFAULT 0 NOT NULL,
	"errors" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "run_rollups_daily_promise_id_day_pk" PRIMARY KEY("promise_id","day")
);
--> statement-breakpoint
ALTER TABLE "break_notes" ADD COLUMN "public" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "promises" ADD COLUMN "public" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "promises" ADD COLUMN "public_title" text;--> statement-breakpoint
ALTER TABLE "run_rollups_daily" ADD CONSTRAINT "run_rollups_daily_promise_id_promises_id_fk" FOREIGN KEY ("promise_id") REFERENCES "public"."promises"("id") ON DELETE cascade ON UPDATE no action;