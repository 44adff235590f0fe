#pragma once

#include "auth/AccessScope.h"

#include <optional>
#include <pqxx/connection>
#include <pqxx/transaction>

namespace breeze::server {

// Marks code that deliberately works outside any tenant (sign-in, token checks, the audit chain): grep for
// it.
struct SystemAccess {
    const char* reason;
};

// A database transaction that always carries a tenant scope, or an explicit SystemAccess. The scope is
// written into session settings that the row-level-security policies check, so even a query that forgot its
// filter cannot reach another tenant's rows.
class ScopedTransaction {
public:
    ScopedTransaction(pqxx::connection& connection, const AccessScope& scope);
    ScopedTransaction(pqxx::connection& connection, SystemAccess access);
    ~ScopedTransaction();
    ScopedTransaction(const ScopedTransaction&) = delete;
    ScopedTransaction& operator=(const ScopedTransaction&) = delete;

    // Transactions this thread has open (begun, neither committed nor abandoned): slow work such as Argon2id
    // checks it is zero, so it never holds a connection and row locks for its whole cost.
    static int openInThisThread();

    // Narrow or widen the scope within the same transaction (a route that needs two permissions).
    void rescope(const AccessScope& scope);

    // Steps outside the tenant scope for one statement or two (ending a user's sessions), then steps back in.
    class SystemSection {
    public:
        SystemSection(ScopedTransaction& tx, SystemAccess access);
        ~SystemSection();
        SystemSection(const SystemSection&) = delete;
        SystemSection& operator=(const SystemSection&) = delete;

    private:
        ScopedTransaction& m_tx;
    };

    pqxx::work& sql() { return m_work; }
    void commit();

private:
    void leave();

    pqxx::work m_work;
    bool m_open = true;
    std::optional<AccessScope> m_scope;
};

} // namespace breeze::server
