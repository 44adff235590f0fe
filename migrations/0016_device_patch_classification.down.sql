ALTER TABLE patches
    ADD COLUMN repository text NOT NULL DEFAULT '' CHECK (length(repository) <= 512),
    ADD COLUMN security boolean NOT NULL DEFAULT false,
    ADD COLUMN severity text NOT NULL DEFAULT '' CHECK (severity IN ('', 'critical', 'important', 'moderate', 'low'));
UPDATE patches p SET repository = c.repository, security = c.security, severity = c.severity
    FROM (SELECT patch_id, max(repository) AS repository, bool_or(security) AS security,
                 (ARRAY['critical', 'important', 'moderate', 'low', ''])[min(CASE severity WHEN 'critical' THEN 1
                     WHEN 'important' THEN 2 WHEN 'moderate' THEN 3 WHEN 'low' THEN 4 ELSE 5 END)] AS severity
          FROM device_patches GROUP BY patch_id) c WHERE c.patch_id = p.id;

CREATE OR REPLACE VIEW patch_compliance_now WITH (security_invoker = true) AS
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

CREATE OR REPLACE FUNCTION breeze_patch_decision(p_patch uuid, p_org uuid, p_site uuid, p_device uuid, p_first_seen timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
    WITH applying AS (
        SELECT * FROM patch_decisions a WHERE a.patch_id = p_patch AND (a.scope = 'partner'
            OR (a.scope = 'org' AND a.org_id = p_org) OR (a.scope = 'site' AND a.site_id = p_site)
            OR (a.scope = 'device' AND a.device_id = p_device)
            OR (a.scope = 'policy' AND a.policy_id = breeze_site_patch_policy(p_org, p_site))))
    SELECT CASE WHEN EXISTS (SELECT 1 FROM applying WHERE decision = 'rejected') THEN 'rejected'
        ELSE coalesce((SELECT CASE WHEN decision = 'deferred' AND coalesce(defer_until,
                            p_first_seen + make_interval(days => defer_days)) > now() THEN 'deferred'
                        ELSE 'approved' END
                       FROM applying
                       ORDER BY CASE scope WHEN 'device' THEN 1 WHEN 'site' THEN 2 WHEN 'policy' THEN 3
                                           WHEN 'org' THEN 4 ELSE 5 END
                       LIMIT 1),
                      (SELECT 'approved' FROM patch_policies pol JOIN patches p ON p.id = p_patch
                       WHERE pol.id = breeze_site_patch_policy(p_org, p_site)
                         AND ((pol.auto_approve_security AND p.security)
                              OR p.severity = ANY(pol.auto_approve_severities)
                              OR (pol.auto_approve_pattern <> ''
                                  AND p.name LIKE replace(replace(pol.auto_approve_pattern, '_', '\_'), '*', '%')))),
                      'none') END
$$;

ALTER TABLE device_patches DROP COLUMN repository, DROP COLUMN security, DROP COLUMN severity;
