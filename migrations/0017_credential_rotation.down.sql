DROP INDEX devices_next_credential_idx;
ALTER TABLE devices DROP COLUMN credential_rotation_requested, DROP COLUMN credential_rotated_at,
    DROP COLUMN next_credential_hash;
