DELETE FROM device_events WHERE kind IN ('reenrollment_requested', 'reenrollment_refused');
ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command', 'enrolled', 'approved', 'revoked', 'deleted',
                    'moved', 'updated'));
DROP INDEX devices_pending_credential_idx;
ALTER TABLE devices DROP COLUMN pending_enrollment, DROP COLUMN pending_credential_hash;
