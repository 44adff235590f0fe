#include "db/ScopedTransaction.h"

namespace breeze::server {

namespace {
thread_local int t_open = 0;
}

ScopedTransaction::ScopedTransaction(pqxx::connection& connection, const AccessScope& scope)
    : m_work(connection) {
    ++t_open;
    try {
        rescope(scope);
    } catch (...) {
        leave();
        throw;
    }
}

ScopedTransaction::ScopedTransaction(pqxx::connection& connection, SystemAccess) : m_work(connection) {
    ++t_open;
    try {
        m_work.exec("SELECT set_config('breeze.system', 'on', true)");
    } catch (...) {
        leave();
        throw;
    }
}

ScopedTransaction::~ScopedTransaction() {
    leave();
}

int ScopedTransaction::openInThisThread() {
    return t_open;
}

void ScopedTransaction::commit() {
    m_work.commit();
    leave();
}

void ScopedTransaction::leave() {
    if (m_open) {
        m_open = false;
        --t_open;
    }
}

void ScopedTransaction::rescope(const AccessScope& scope) {
    m_scope = scope;
    m_work.exec_params(
        "SELECT set_config('breeze.system', 'off', true), set_config('breeze.partner_id', $1, true), "
        "set_config('breeze.whole_partner', $2, true), set_config('breeze.orgs_all', $3, true), "
        "set_config('breeze.orgs_limited', $4, true), set_config('breeze.sites_allowed', $5, true)",
        scope.partnerId(), std::string(scope.isWholePartner() ? "on" : "off"), scope.orgsAllArray(),
        scope.orgsLimitedArray(), scope.sitesAllowedArray());
}

ScopedTransaction::SystemSection::SystemSection(ScopedTransaction& tx, SystemAccess) : m_tx(tx) {
    m_tx.m_work.exec("SELECT set_config('breeze.system', 'on', true)");
}

ScopedTransaction::SystemSection::~SystemSection() {
    try {
        if (m_tx.m_scope)
            m_tx.rescope(*m_tx.m_scope);
    } catch (const std::exception&) {
        // The transaction is broken and will roll back; nothing ran with the wider access.
    }
}

} // namespace breeze::server
