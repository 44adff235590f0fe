-- A machine enrolling again under an identity that already has a live device, without proving it holds that
-- device's credential, gets nothing until an administrator approves: its credential waits here, apart from the
-- device's own, and what it reported is kept to show what differs.
ALTER TABLE devices
    ADD COLUMN pending_credential_hash text,
    ADD COLUMN pending_enrollment jsonb;
CREATE UNIQUE INDEX devices_pending_credential_idx ON devices (pending_credential_hash)
    WHERE pending_credential_hash IS NOT NULL;

ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('online', 'offline', 'inventory_changed', 'command', 'enrolled', 'approved', 'revoked', 'deleted',
                    'moved', 'updated', 'reenrollment_requested', 'reenrollment_refused'));
