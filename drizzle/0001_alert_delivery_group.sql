ALTER TABLE "alert_deliveries" ADD COLUMN "group_key" text;--> statement-breakpoint
CREATE INDEX "alert_deliveries_group_idx" ON "alert_deliveries" USING btree ("group_key");