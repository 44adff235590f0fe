-- Scheduled script runs: a run request kept by the server and made again at its time, once, daily or weekly in
-- the time zone it was set in (so 08:00 stays 08:00 across daylight-saving changes).
CREATE TABLE script_schedules (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    -- The organisation every target belongs to; NULL when the target spans several (partner-wide scopes only).
    org_id uuid,
    script_id uuid NOT NULL REFERENCES scripts ON DELETE CASCADE,
    -- Whose authority each run has: their permissions are checked again every time it runs.
    created_by uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    created_by_label text NOT NULL,
    targets jsonb NOT NULL CHECK (jsonb_typeof(targets) = 'object'),
    version integer CHECK (version > 0), -- NULL: the script's current version when it runs
    timeout_seconds integer CHECK (timeout_seconds BETWEEN 1 AND 86400),
    -- The parameter values sealed with the server's key (secrets among them); shown only with secrets redacted.
    sealed_parameters text NOT NULL,
    parameters_shown jsonb NOT NULL,
    first_run_at timestamptz NOT NULL,
    repeat text NOT NULL CHECK (repeat IN ('once', 'daily', 'weekly')),
    timezone text NOT NULL CHECK (length(timezone) BETWEEN 1 AND 64),
    next_run_at timestamptz, -- NULL: nothing more to run (a one-off that ran)
    last_run_at timestamptz,
    last_run_id uuid,
    last_error text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX script_schedules_due_idx ON script_schedules (next_run_at) WHERE next_run_at IS NOT NULL;
CREATE INDEX script_schedules_script_idx ON script_schedules (script_id);

ALTER TABLE script_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE script_schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON script_schedules USING (CASE WHEN org_id IS NULL
    THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END);

-- The next time a schedule runs after `after`: the first time itself while it is still ahead, else the first
-- repetition after `after` of its local time of day (and weekday), skipping those missed while no server ran.
CREATE FUNCTION breeze_schedule_next(first_run_at timestamptz, repeat text, zone text, after timestamptz)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
    local_first timestamp := first_run_at AT TIME ZONE zone;
    local_after timestamp := after AT TIME ZONE zone;
    step interval := CASE repeat WHEN 'daily' THEN interval '1 day' ELSE interval '7 days' END;
    steps bigint;
    candidate timestamp;
BEGIN
    IF first_run_at > after THEN
        RETURN first_run_at;
    END IF;
    IF repeat = 'once' THEN
        RETURN NULL;
    END IF;
    steps := floor(extract(epoch FROM local_after - local_first) / extract(epoch FROM step))::bigint;
    candidate := local_first + steps * step;
    WHILE (candidate AT TIME ZONE zone) <= after LOOP
        candidate := candidate + step;
    END LOOP;
    RETURN candidate AT TIME ZONE zone;
END $$;
