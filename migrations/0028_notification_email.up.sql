-- E-mail notifications: one SMTP server per partner, used by every e-mail channel of the partner and its
-- organisations. The password is sealed with the server's sealing key.
CREATE TABLE notification_smtp (
    partner_id uuid PRIMARY KEY REFERENCES partners ON DELETE CASCADE,
    host text NOT NULL CHECK (length(host) BETWEEN 1 AND 253),
    port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    -- starttls: upgrade on the submission port; tls: TLS from the first byte; plain: no TLS (loopback only)
    security text NOT NULL CHECK (security IN ('starttls', 'tls', 'plain')),
    username text CHECK (length(username) BETWEEN 1 AND 255),
    sealed_password text,
    from_address text NOT NULL CHECK (length(from_address) BETWEEN 3 AND 254),
    updated_by_label text NOT NULL DEFAULT '',
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((username IS NULL) = (sealed_password IS NULL))
);
ALTER TABLE notification_smtp ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_smtp FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON notification_smtp USING (breeze_partner_visible(partner_id));
