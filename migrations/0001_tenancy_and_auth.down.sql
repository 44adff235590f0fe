DROP TABLE enrollment_keys, api_keys, auth_throttle, refresh_tokens, auth_sessions, recovery_codes, user_grants,
    users, role_permissions, roles, device_groups, sites, organizations, partners;
DROP FUNCTION breeze_partner_visible(uuid), breeze_site_visible(uuid, uuid, uuid), breeze_org_visible(uuid, uuid),
    breeze_whole_partner(), breeze_uuid_setting(text), breeze_partner(), breeze_system();
