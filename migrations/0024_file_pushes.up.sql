-- One file pushed to many devices: the server keeps one copy of the file (keyed by its SHA-256, in chunks), and a
-- line per device says how its delivery went, verified by the device's own SHA-256 of what it wrote.
--
-- A copy belongs to whoever uploaded it: another technician (another customer's, say) cannot learn from the
-- server whether a file with a given hash was ever pushed. The same file pushed by two people is kept twice.
CREATE TABLE file_blobs (
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    owner_id uuid NOT NULL, -- the user or API key that uploaded it
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size bigint NOT NULL CHECK (size >= 0),
    chunk_bytes integer NOT NULL CHECK (chunk_bytes > 0),
    complete boolean NOT NULL DEFAULT false, -- every chunk there and the whole checked against sha256
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, owner_id, sha256)
);

CREATE TABLE file_blob_chunks (
    partner_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    sha256 text NOT NULL,
    seq integer NOT NULL CHECK (seq >= 0),
    data bytea NOT NULL,
    PRIMARY KEY (partner_id, owner_id, sha256, seq),
    FOREIGN KEY (partner_id, owner_id, sha256) REFERENCES file_blobs ON DELETE CASCADE
);

CREATE TABLE file_pushes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id uuid NOT NULL REFERENCES partners ON DELETE CASCADE,
    owner_id uuid NOT NULL,
    sha256 text NOT NULL,
    size bigint NOT NULL CHECK (size >= 0),
    -- Where the file goes on every device: an absolute path (its folder must exist there).
    path text NOT NULL CHECK (path ~ '^/' AND length(path) <= 4096),
    conflict text NOT NULL CHECK (conflict IN ('fail', 'replace', 'keep_both', 'skip')),
    targets jsonb NOT NULL CHECK (jsonb_typeof(targets) = 'object'),
    actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key')),
    actor_label text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX file_pushes_partner_idx ON file_pushes (partner_id, created_at DESC);

CREATE TABLE file_push_targets (
    push_id uuid NOT NULL REFERENCES file_pushes ON DELETE CASCADE,
    device_id uuid NOT NULL REFERENCES devices ON DELETE CASCADE,
    partner_id uuid NOT NULL,
    org_id uuid NOT NULL,
    site_id uuid NOT NULL,
    -- pending: waits for the device's agent to be connected; running: a node is delivering it (until
    -- lease_until, after which another may take it over); done, skipped (the name was taken and the push said
    -- skip) and failed are final.
    state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'skipped', 'failed')),
    -- The folder the pusher's roles let them write in on this device, fixed when the push was made.
    root text NOT NULL CHECK (root ~ '^/'),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    session_id uuid,
    -- What the device wrote: the name it used and its SHA-256 of the file (checked equal to the push's).
    written_path text,
    written_sha256 text,
    error text NOT NULL DEFAULT '' CHECK (length(error) <= 1000),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    PRIMARY KEY (push_id, device_id)
);
CREATE INDEX file_push_targets_open_idx ON file_push_targets (next_attempt_at) WHERE state IN ('pending', 'running');

ALTER TABLE file_blobs ENABLE ROW LEVEL SECURITY;
ALTER TABLE file_blobs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON file_blobs USING (breeze_system() OR partner_id = breeze_partner());
ALTER TABLE file_blob_chunks ENABLE ROW LEVEL SECURITY;
ALTER TABLE file_blob_chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON file_blob_chunks USING (breeze_system() OR partner_id = breeze_partner());
ALTER TABLE file_pushes ENABLE ROW LEVEL SECURITY;
ALTER TABLE file_pushes FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON file_pushes USING (breeze_system() OR partner_id = breeze_partner());
ALTER TABLE file_push_targets ENABLE ROW LEVEL SECURITY;
ALTER TABLE file_push_targets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON file_push_targets USING (breeze_site_visible(partner_id, org_id, site_id));
