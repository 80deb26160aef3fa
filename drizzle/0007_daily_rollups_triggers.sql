-- Daily rollups follow the hourly ones, whoever writes them (the recorder,
-- retention, an import): one aggregated upsert per statement, from the
-- statement's transition tables. Deleting an hour (retention, after 400
-- days) leaves its day alone: the day goes by its own age.
CREATE FUNCTION run_rollups_daily_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_rollups_daily AS d (promise_id, day, runs, kept, at_risk, broken, errors)
  SELECT promise_id, (hour AT TIME ZONE 'UTC')::date, sum(runs), sum(kept), sum(at_risk), sum(broken), sum(errors)
  FROM added
  GROUP BY 1, 2
  ON CONFLICT (promise_id, day) DO UPDATE SET
    runs = d.runs + excluded.runs, kept = d.kept + excluded.kept, at_risk = d.at_risk + excluded.at_risk,
    broken = d.broken + excluded.broken, errors = d.errors + excluded.errors;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION run_rollups_daily_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO run_rollups_daily AS d (promise_id, day, runs, kept, at_risk, broken, errors)
  SELECT promise_id, day, sum(runs), sum(kept), sum(at_risk), sum(broken), sum(errors)
  FROM (
    SELECT promise_id, (hour AT TIME ZONE 'UTC')::date AS day, runs, kept, at_risk, broken, errors FROM changed
    UNION ALL
    SELECT promise_id, (hour AT TIME ZONE 'UTC')::date, -runs, -kept, -at_risk, -broken, -errors FROM before_change
  ) delta
  GROUP BY 1, 2
  ON CONFLICT (promise_id, day) DO UPDATE SET
    runs = d.runs + excluded.runs, kept = d.kept + excluded.kept, at_risk = d.at_risk + excluded.at_risk,
    broken = d.broken + excluded.broken, errors = d.errors + excluded.errors;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER run_rollups_daily_on_insert AFTER INSERT ON run_rollups
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION run_rollups_daily_add();
--> statement-breakpoint
CREATE TRIGGER run_rollups_daily_on_update AFTER UPDATE ON run_rollups
  REFERENCING OLD TABLE AS before_change NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION run_rollups_daily_change();
--> statement-breakpoint
INSERT INTO run_rollups_daily (promise_id, day, runs, kept, at_risk, broken, errors)
SELECT promise_id, (hour AT TIME ZONE 'UTC')::date, sum(runs), sum(kept), sum(at_risk), sum(broken), sum(errors)
FROM run_rollups
GROUP BY 1, 2;
