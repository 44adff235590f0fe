ALTER TABLE patch_deployments DROP COLUMN reboot;
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
                       LEFT JOIN device_patches c ON c.patch_id = p_patch AND c.device_id = p_device
                       WHERE pol.id = breeze_site_patch_policy(p_org, p_site)
                         AND ((pol.auto_approve_security AND coalesce(c.security, false))
                              OR coalesce(c.severity, '') = ANY(pol.auto_approve_severities)
                              OR (pol.auto_approve_pattern <> ''
                                  AND p.name LIKE replace(replace(pol.auto_approve_pattern, '_', '\_'), '*', '%')))),
                      'none') END
$$;

DROP FUNCTION breeze_patch_decision_explained(uuid, uuid, uuid, uuid, timestamptz);
