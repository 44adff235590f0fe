#include "http/Pagination.h"

#include "encoding/Base64.h"
#include "http/ApiError.h"
#include "http/RequestContext.h"
#include "http/ResultJson.h"

#include "json/BoundedJsonParser.h"
#include <charconv>

namespace breeze::server {

namespace {
std::string idText(const nlohmann::json& id) {
    return id.is_string() ? id.get<std::string>() : id.dump();
}
} // namespace

Pagination::Pagination(const RequestContext& ctx) {
    if (auto limit = ctx.query("limit")) {
        int value = 0;
        const auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
        if (ec != std::errc() || ptr != limit->data() + limit->size() || value < 1 || value > kMaxLimit)
            throw ApiError::badRequest("limit must be a number from 1 to " + std::to_string(kMaxLimit));
        m_limit = value;
    }
    if (auto cursor = ctx.query("cursor"); cursor && !cursor->empty()) {
        const auto raw = encoding::base64UrlDecode(*cursor);
        json::JsonLimits limits;
        limits.maxBytes = 2048;
        auto parsed = raw ? json::parseBoundedJson(*raw, limits) : json::JsonParseResult{};
        if (!parsed || !parsed.value->is_array() || parsed.value->size() != 2 ||
            !(*parsed.value)[0].is_string() || !(*parsed.value)[1].is_string())
            throw ApiError::badRequest("cursor is not one this server handed out");
        m_after =
            std::make_pair((*parsed.value)[0].get<std::string>(), (*parsed.value)[1].get<std::string>());
    }
}

std::string Pagination::sqlAfter(SqlParams& params, const std::string& sortExpr, const std::string& idExpr,
                                 const std::string& idType) const {
    if (!m_after)
        return "";
    if (idType == "uuid" && !isUuid(m_after->second))
        throw ApiError::badRequest("cursor is not one this server handed out");
    const std::string sortParam = params.add(m_after->first);
    const std::string idParam = params.add(m_after->second);
    return " AND (" + sortExpr + ", " + idExpr + ") > (" + sortParam + ", " + idParam + "::" + idType + ")";
}

nlohmann::json Pagination::page(const pqxx::result& rows) const {
    nlohmann::json items = nlohmann::json::array();
    nlohmann::json next = nullptr;
    for (const auto& row : rows) {
        if (items.size() == static_cast<std::size_t>(m_limit)) {
            const auto& previous = rows[static_cast<pqxx::result::size_type>(m_limit - 1)];
            next = encoding::base64UrlEncode(
                nlohmann::json::array({previous["sort_key"].as<std::string>(), idText(items.back()["id"])})
                    .dump());
            break;
        }
        items.push_back(jsonRow(row));
    }
    return {{"items", std::move(items)}, {"next_cursor", std::move(next)}};
}

} // namespace breeze::server
