-- Patch compliance: for every site, how many of its devices have no missing (or failed) update at all, and none
-- of each class (critical, important, moderate, low severity; security). Only scanned devices can be judged.
-- The view computes it now, under the caller's row-level security; a daily snapshot keeps the trend.
CREATE VIEW patch_compliance_now WITH (security_invoker = true) AS
SELECT d.partner_id, d.org_id, d.site_id,
    count(*) AS devices,
    count(*) FILTER (WHERE d.patches_scanned_at IS NOT NULL) AS scanned,
    count(*) FILTER (WHERE d.patches_scanned_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device_patches dp
        WHERE dp.device_id = d.id AND dp.state IN ('missing', 'failed'))) AS fully_patched,
    count(*) FILTER (WHERE d.patches_scanned_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device_patches dp
        JOIN patches p ON p.id = dp.patch_id WHERE dp.device_id = d.id AND dp.state IN ('missing', 'failed')
        AND p.severity = 'critical')) AS critical_patched,
    count(*) FILTER (WHERE d.patches_scanned_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device_patches dp
        JOIN patches p ON p.id = dp.patch_id WHERE dp.device_id = d.id AND dp.state IN ('missing', 'failed')
        AND p.severity = 'important')) AS important_patched,
    count(*) FILTER (WHERE d.patches_scanned_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device_patches dp
        JOIN patches p ON p.id = dp.patch_id WHERE dp.device_id = d.id AND dp.state IN ('missing', 'failed')
        AND p.severity = 'moderate')) AS moderate_patched,
    count(*) FILTER (WHERE d.patches_scanned_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device_patches dp
        JOIN patches p ON p.id = dp.patch_id WHERE dp.device_id = d.id AND dp.state IN ('missing', 'failed')
        AND p.severity = 'low')) AS low_patched,
    count(*) FILTER (WHERE d.patches_scanned_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM device_patches dp
        JOIN patches p ON p.id = dp.patch_id WHERE dp.device_id = d.id AND dp.state IN ('missing', 'failed')
        AND p.security)) AS security_patched
FROM devices d
WHERE d.revoked_at IS NULL AND d.approval = 'approved'
GROUP BY d.partner_id, d.org_id, d.site_id;

CREATE TABLE patch_compliance_daily (
    day date NOT NULL,
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL REFERENCES sites ON DELETE CASCADE,
    devices integer NOT NULL,
    scanned integer NOT NULL,
    fully_patched integer NOT NULL,
    critical_patched integer NOT NULL,
    important_patched integer NOT NULL,
    moderate_patched integer NOT NULL,
    low_patched integer NOT NULL,
    security_patched integer NOT NULL,
    taken_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, day)
);
ALTER TABLE patch_compliance_daily ENABLE ROW LEVEL SECURITY;
ALTER TABLE patch_compliance_daily FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON patch_compliance_daily USING (breeze_site_visible(partner_id, org_id, site_id));
