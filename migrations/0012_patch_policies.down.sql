DROP INDEX patch_deployments_window_key;
ALTER TABLE patch_deployments DROP COLUMN expires_at, DROP COLUMN window_start, DROP COLUMN policy_id;
CREATE OR REPLACE FUNCTION breeze_patch_decision(p_patch uuid, p_org uuid, p_site uuid, p_device uuid, p_first_seen timestamptz)
RETURNS text LANGUAGE sql STABLE AS $$
    WITH applying AS (
        SELECT * FROM patch_decisions a WHERE a.patch_id = p_patch AND (a.scope = 'partner'
            OR (a.scope = 'org' AND a.org_id = p_org) OR (a.scope = 'site' AND a.site_id = p_site)
            OR (a.scope = 'device' AND a.device_id = p_device)))
    SELECT CASE WHEN EXISTS (SELECT 1 FROM applying WHERE decision = 'rejected') THEN 'rejected'
        ELSE coalesce((SELECT CASE WHEN decision = 'deferred' AND coalesce(defer_until,
                            p_first_seen + make_interval(days => defer_days)) > now() THEN 'deferred'
                        ELSE 'approved' END
                       FROM applying
                       ORDER BY CASE scope WHEN 'device' THEN 1 WHEN 'site' THEN 2 WHEN 'org' THEN 3 ELSE 4 END
                       LIMIT 1), 'none') END
$$;
DROP FUNCTION breeze_site_patch_policy(uuid, uuid);
DROP TABLE patch_policy_assignments;
DROP TABLE patch_policies;
