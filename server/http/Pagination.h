#pragma once

#include "db/SqlParams.h"

#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace breeze::server {

class RequestContext;

// Keyset pagination over (sort key, id): `?limit=N&cursor=...` in, {"items":[...],"next_cursor":...} out.
// The cursor is opaque to clients (base64url JSON); a forged one can only move within what the scope allows.
class Pagination {
public:
    static constexpr int kDefaultLimit = 50;
    static constexpr int kMaxLimit = 500;

    explicit Pagination(const RequestContext& ctx);

    // " AND (sortExpr, idExpr) > ($n, $m)" when a cursor was given, else "".
    std::string sqlAfter(SqlParams& params, const std::string& sortExpr, const std::string& idExpr,
                         const std::string& idType = "uuid") const;
    // " LIMIT n+1": one extra row tells whether another page exists.
    std::string sqlLimit() const { return " LIMIT " + std::to_string(m_limit + 1); }

    // Builds the page from rows with columns "item" (json_build_object(...)::text) and "sort_key" (text); the
    // cursor is the last row's sort key and "id".
    nlohmann::json page(const pqxx::result& rows) const;

private:
    int m_limit = kDefaultLimit;
    std::optional<std::pair<std::string, std::string>> m_after;
};

} // namespace breeze::server
