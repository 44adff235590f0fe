-- One number that moves whenever anything a signed-in caller's identity rests on changes: a session ended, a
-- user disabled, renamed or removed, a grant, a role or its permissions, an API key revoked. Server nodes cache
-- who a token or key belongs to and use a cached answer only while this number has not moved, so every change
-- reaches every node's cache with the next request, and a request costs one read of this row instead of a
-- transaction of lookups.
CREATE TABLE auth_epoch (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    value bigint NOT NULL
);
INSERT INTO auth_epoch (value) VALUES (0);

CREATE FUNCTION breeze_bump_auth_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_epoch SET value = value + 1;
    RETURN NULL;
END;
$$;

CREATE TRIGGER auth_epoch_sessions AFTER UPDATE OF revoked_at, mfa_enrollment_only, user_id OR DELETE
    ON auth_sessions FOR EACH STATEMENT EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE TRIGGER auth_epoch_users AFTER UPDATE OF disabled_at, email, partner_id OR DELETE
    ON users FOR EACH STATEMENT EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE TRIGGER auth_epoch_grants AFTER INSERT OR UPDATE OR DELETE
    ON user_grants FOR EACH STATEMENT EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE TRIGGER auth_epoch_roles AFTER UPDATE OR DELETE
    ON roles FOR EACH STATEMENT EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE TRIGGER auth_epoch_role_permissions AFTER INSERT OR UPDATE OR DELETE
    ON role_permissions FOR EACH STATEMENT EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE TRIGGER auth_epoch_api_keys AFTER UPDATE OF revoked_at, expires_at, role_id, org_id, name OR DELETE
    ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION breeze_bump_auth_epoch();
