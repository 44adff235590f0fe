-- Credential rotation without a gap: the new credential's hash waits here, accepted beside the current one,
-- until the agent confirms it stored it (or connects with it); then it replaces the current one.
ALTER TABLE devices
    ADD COLUMN next_credential_hash text,
    ADD COLUMN credential_rotated_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN credential_rotation_requested boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX devices_next_credential_idx ON devices (next_credential_hash)
    WHERE next_credential_hash IS NOT NULL;
