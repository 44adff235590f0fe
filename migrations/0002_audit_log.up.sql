-- Append-only audit log. Each row's hash covers the previous row's hash and the row itself, so changing or
-- removing any row breaks the chain from there on (see breeze_audit_verify).
CREATE SEQUENCE audit_log_id_seq;
CREATE TABLE audit_log (
    id bigint PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    partner_id uuid,
    org_id uuid,
    actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'agent', 'system', 'anonymous')),
    actor_id uuid,
    actor_label text NOT NULL DEFAULT '',
    address text NOT NULL DEFAULT '',
    request_id text NOT NULL DEFAULT '',
    action text NOT NULL,
    resource_type text NOT NULL DEFAULT '',
    resource_id text NOT NULL DEFAULT '',
    result text NOT NULL CHECK (result IN ('success', 'failure', 'denied')),
    details jsonb NOT NULL DEFAULT '{}',
    prev_hash text NOT NULL DEFAULT '',
    hash text NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_partner_idx ON audit_log (partner_id, id DESC);
CREATE INDEX audit_log_org_idx ON audit_log (org_id, id DESC);

CREATE FUNCTION breeze_audit_digest(prev text, r audit_log) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(concat_ws(E'\x1f', prev, r.id::text,
        to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(r.partner_id::text, ''), coalesce(r.org_id::text, ''), r.actor_type,
        coalesce(r.actor_id::text, ''), r.actor_label, r.address, r.request_id, r.action, r.resource_type,
        r.resource_id, r.result, r.details::text), 'UTF8')), 'hex')
$$;

-- The chain's head lives outside audit_log, so that extending the chain does not depend on which rows the
-- inserting transaction's tenant scope can see. Locking the head row serialises writers until they commit, and
-- ids are drawn under that lock, so id order is chain order.
CREATE TABLE audit_chain_head (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    hash text NOT NULL
);
INSERT INTO audit_chain_head (hash) VALUES ('');

CREATE FUNCTION breeze_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT hash INTO NEW.prev_hash FROM audit_chain_head FOR UPDATE;
    NEW.id := nextval('audit_log_id_seq');
    NEW.at := clock_timestamp();
    NEW.hash := breeze_audit_digest(NEW.prev_hash, NEW);
    UPDATE audit_chain_head SET hash = NEW.hash;
    RETURN NEW;
END $$;

CREATE FUNCTION breeze_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;

CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION breeze_audit_chain();
-- Statement-level, so it fires even when row-level security hides every row from the statement.
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log FOR EACH STATEMENT
    EXECUTE FUNCTION breeze_audit_append_only();

-- The first row whose link or digest does not hold, or no row when the chain is intact.
CREATE FUNCTION breeze_audit_verify() RETURNS TABLE (bad_id bigint, checked bigint) LANGUAGE sql STABLE AS $$
    WITH chain AS (
        SELECT a.id, a.prev_hash, a.hash, lag(a.hash, 1, '') OVER (ORDER BY a.id) AS expected_prev,
               breeze_audit_digest(a.prev_hash, a) AS expected_hash
        FROM audit_log a
    )
    SELECT (SELECT min(id) FROM chain WHERE prev_hash <> expected_prev OR hash <> expected_hash),
           (SELECT count(*) FROM chain)
$$;

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON audit_log FOR SELECT USING (breeze_system() OR (partner_id IS NOT NULL AND
    CASE WHEN org_id IS NULL THEN breeze_partner_visible(partner_id) ELSE breeze_org_visible(partner_id, org_id) END));
CREATE POLICY append ON audit_log FOR INSERT WITH CHECK (true);
