-- A technician's named device filters (search, dashboard condition, scope), kept on the server so that they
-- follow the person to any workstation. Personal: only their owner lists, saves or deletes them.
CREATE TABLE saved_device_filters (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object' AND length(definition::text) <= 4096),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, name)
);

ALTER TABLE saved_device_filters ENABLE ROW LEVEL SECURITY;
ALTER TABLE saved_device_filters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON saved_device_filters USING (breeze_system() OR partner_id = breeze_partner());
