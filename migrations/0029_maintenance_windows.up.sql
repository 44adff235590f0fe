-- Maintenance windows: planned work on an organisation, site, group or device, once or repeating daily or
-- weekly. Alerts are still evaluated and recorded inside a window, but nothing is sent; when it ends, what it
-- opened is closed quietly and conditions are evaluated afresh, so a problem that outlasts the window is
-- announced then, and nothing from inside it is replayed.
CREATE TABLE maintenance_windows (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid NOT NULL,
    scope text NOT NULL CHECK (scope IN ('org', 'site', 'group', 'device')),
    target_id uuid NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    repeat text NOT NULL DEFAULT 'none' CHECK (repeat IN ('none', 'daily', 'weekly')),
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    created_by_label text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (org_id, partner_id) REFERENCES organizations (id, partner_id) ON DELETE CASCADE,
    CHECK (isfinite(starts_at) AND isfinite(ends_at)),
    CHECK (ends_at > starts_at),
    CHECK (repeat = 'none' OR (repeat = 'daily' AND ends_at - starts_at < interval '1 day')
           OR (repeat = 'weekly' AND ends_at - starts_at < interval '7 days'))
);
CREATE INDEX maintenance_windows_target_idx ON maintenance_windows (target_id);
ALTER TABLE maintenance_windows ENABLE ROW LEVEL SECURITY;
ALTER TABLE maintenance_windows FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON maintenance_windows USING (breeze_org_visible(partner_id, org_id));
CREATE TRIGGER maintenance_windows_announce AFTER INSERT OR UPDATE OR DELETE ON maintenance_windows
    FOR EACH STATEMENT EXECUTE FUNCTION breeze_announce_alert_config();

-- Opened while its device was in maintenance: nothing was sent for it, so nothing is owed.
ALTER TABLE alerts ADD COLUMN maintenance boolean NOT NULL DEFAULT false;
ALTER TABLE alerts DROP CONSTRAINT alerts_resolution_check;
ALTER TABLE alerts ADD CONSTRAINT alerts_resolution_check CHECK (resolution IN (
    'cleared', 'by_hand', 'rule_deleted', 'rule_disabled', 'device_deleted', 'no_longer_applies',
    'maintenance_ended'));
