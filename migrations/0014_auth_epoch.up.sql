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

-- Row triggers with conditions, so a statement that changes nothing (a replayed refresh token, a second logout)
-- moves nothing; deferred to commit, so the epoch row is the last lock a transaction takes (no deadlock with the
-- session and user rows it holds) and is held only for the commit itself.
CREATE CONSTRAINT TRIGGER auth_epoch_sessions_update AFTER UPDATE ON auth_sessions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.mfa_enrollment_only IS DISTINCT FROM NEW.mfa_enrollment_only OR OLD.user_id IS DISTINCT FROM NEW.user_id)
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_sessions_delete AFTER DELETE ON auth_sessions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_users_update AFTER UPDATE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.disabled_at IS DISTINCT FROM NEW.disabled_at OR OLD.email IS DISTINCT FROM NEW.email OR OLD.partner_id IS DISTINCT FROM NEW.partner_id)
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_users_delete AFTER DELETE ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_grants_insert AFTER INSERT ON user_grants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_grants_update AFTER UPDATE ON user_grants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_grants_delete AFTER DELETE ON user_grants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_roles_update AFTER UPDATE ON roles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.partner_id IS DISTINCT FROM NEW.partner_id)
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_roles_delete AFTER DELETE ON roles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_role_permissions_insert AFTER INSERT ON role_permissions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_role_permissions_update AFTER UPDATE ON role_permissions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_role_permissions_delete AFTER DELETE ON role_permissions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_api_keys_update AFTER UPDATE ON api_keys DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.role_id IS DISTINCT FROM NEW.role_id OR OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION breeze_bump_auth_epoch();
CREATE CONSTRAINT TRIGGER auth_epoch_api_keys_delete AFTER DELETE ON api_keys DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION breeze_bump_auth_epoch();
