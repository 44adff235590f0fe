-- Decisions made in a policy: they apply to every device whose site follows the policy, at the site's level of
-- precedence ("site or policy override"), above the organisation's and the partner's decisions and below the
-- device's own. A policy's decision carries the policy's organisation (none for a partner-wide policy).
ALTER TABLE patch_decisions ADD COLUMN policy_id uuid REFERENCES patch_policies ON DELETE CASCADE;
ALTER TABLE patch_decisions DROP CONSTRAINT patch_decisions_scope_check;
ALTER TABLE patch_decisions DROP CONSTRAINT patch_decisions_check;
ALTER TABLE patch_decisions DROP CONSTRAINT patch_decisions_patch_id_scope_org_id_site_id_device_id_key;
ALTER TABLE patch_decisions ADD CONSTRAINT patch_decisions_scope_check
    CHECK (scope IN ('partner', 'org', 'site', 'device', 'policy'));
ALTER TABLE patch_decisions ADD CONSTRAINT patch_decisions_check CHECK (
    (scope = 'partner' AND org_id IS NULL AND site_id IS NULL AND device_id IS NULL AND policy_id IS NULL)
    OR (scope = 'org' AND org_id IS NOT NULL AND site_id IS NULL AND device_id IS NULL AND policy_id IS NULL)
    OR (scope = 'site' AND org_id IS NOT NULL AND site_id IS NOT NULL AND device_id IS NULL AND policy_id IS NULL)
    OR (scope = 'device' AND org_id IS NOT NULL AND site_id IS NOT NULL AND device_id IS NOT NULL AND policy_id IS NULL)
    OR (scope = 'policy' AND site_id IS NULL AND device_id IS NULL AND policy_id IS NOT NULL));
ALTER TABLE patch_decisions ADD CONSTRAINT patch_decisions_level_key
    UNIQUE NULLS NOT DISTINCT (patch_id, scope, org_id, site_id, device_id, policy_id);

DROP POLICY tenant_read ON patch_decisions;
DROP POLICY tenant_write ON patch_decisions;
CREATE POLICY tenant_read ON patch_decisions FOR SELECT USING (breeze_system() OR (partner_id = breeze_partner()
    AND (org_id IS NULL OR breeze_org_visible(partner_id, org_id))));
CREATE POLICY tenant_write ON patch_decisions FOR ALL USING (CASE
    WHEN scope IN ('partner', 'policy') AND org_id IS NULL THEN breeze_partner_visible(partner_id)
    WHEN scope IN ('org', 'policy') THEN breeze_org_visible(partner_id, org_id)
    ELSE breeze_site_visible(partner_id, org_id, site_id) END);

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
