SELECT set_config('breeze.system', 'on', true);
DELETE FROM device_events WHERE kind = 'updated';
ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command', 'enrolled', 'approved', 'revoked', 'deleted',
                    'moved'));
ALTER TABLE devices DROP CONSTRAINT devices_group_fkey;
ALTER TABLE devices DROP COLUMN last_filesystems, DROP COLUMN tags, DROP COLUMN group_id;
DROP FUNCTION breeze_valid_tags(text[]);
ALTER TABLE device_groups DROP CONSTRAINT device_groups_id_org_key;
