#include "alerts/SmtpStore.h"

#include "db/ScopedTransaction.h"
#include "http/ResultJson.h"

#include <pqxx/pqxx>

namespace breeze::server {

std::optional<nlohmann::json> SmtpStore::find(const std::string& partnerId) {
    const auto rows = m_tx.sql().exec_params(
        "SELECT json_build_object('host', host, 'port', port, 'security', security, 'username', username, "
        "'password_set', sealed_password IS NOT NULL, 'from', from_address, 'updated_by', updated_by_label, "
        "'updated_at', updated_at)::text AS item FROM notification_smtp WHERE partner_id = $1",
        partnerId);
    if (rows.empty())
        return std::nullopt;
    return jsonRow(rows[0]);
}

void SmtpStore::save(const Update& update) {
    m_tx.sql().exec_params(
        "INSERT INTO notification_smtp (partner_id, host, port, security, username, sealed_password, "
        "from_address, updated_by_label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (partner_id) DO "
        "UPDATE SET host = excluded.host, port = excluded.port, security = excluded.security, username = "
        "excluded.username, sealed_password = excluded.sealed_password, from_address = "
        "excluded.from_address, "
        "updated_by_label = excluded.updated_by_label, updated_at = now()",
        update.partnerId, update.host, update.port, update.security, update.username, update.sealedPassword,
        update.from, update.by);
}

bool SmtpStore::remove(const std::string& partnerId) {
    return m_tx.sql()
               .exec_params("DELETE FROM notification_smtp WHERE partner_id = $1", partnerId)
               .affected_rows() == 1;
}

} // namespace breeze::server
