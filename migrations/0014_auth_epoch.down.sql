DROP TRIGGER auth_epoch_api_keys ON api_keys;
DROP TRIGGER auth_epoch_role_permissions ON role_permissions;
DROP TRIGGER auth_epoch_roles ON roles;
DROP TRIGGER auth_epoch_grants ON user_grants;
DROP TRIGGER auth_epoch_users ON users;
DROP TRIGGER auth_epoch_sessions ON auth_sessions;
DROP FUNCTION breeze_bump_auth_epoch();
DROP TABLE auth_epoch;
