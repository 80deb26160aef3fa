ALTER TABLE "promises" ADD COLUMN "claim_url" text;--> statement-breakpoint
ALTER TABLE "promises" ADD COLUMN "claim_drift" jsonb;--> statement-breakpoint
ALTER TABLE "promises" ADD COLUMN "claim_drift_told" jsonb;