DROP FUNCTION breeze_resource_name(text, text);
DELETE FROM device_events WHERE kind = 'patches_changed';
ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command', 'enrolled', 'approved', 'revoked', 'deleted',
                    'moved', 'updated', 'reenrollment_requested', 'reenrollment_refused'));
DROP TRIGGER api_keys_announce ON api_keys;
DROP TRIGGER enrollment_keys_announce ON enrollment_keys;
DROP TRIGGER device_groups_announce ON device_groups;
DROP TRIGGER sites_announce ON sites;
DROP TRIGGER organizations_announce ON organizations;
DROP FUNCTION breeze_announce_tenancy_change();
DROP FUNCTION breeze_device_addresses(uuid);
DROP FUNCTION breeze_fullest_filesystem(jsonb);
ALTER TABLE devices DROP COLUMN booted_at;
