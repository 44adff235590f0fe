#include "alerts/OwnerScope.h"

namespace breeze::server {

std::string OwnerScope::sql(const AccessScope& scope, const std::string& alias) {
    return "(" + alias + ".partner_id = '" + scope.partnerId() + "'::uuid AND (" + alias +
           ".org_id IS NULL AND " + (scope.isWholePartner() ? "true" : "false") + " OR " + alias +
           ".org_id IS NOT NULL AND " + scope.sqlOrg(alias + ".partner_id", alias + ".org_id") + "))";
}

bool OwnerScope::mayManage(const AccessScope& scope, const std::optional<std::string>& orgId) {
    return orgId ? scope.allowsWholeOrg(*orgId) : scope.isWholePartner();
}

std::optional<std::string> OwnerScope::ownerOf(const nlohmann::json& record) {
    const auto found = record.find("org_id");
    return found != record.end() && found->is_string() ? std::optional<std::string>(found->get<std::string>())
                                                       : std::nullopt;
}

} // namespace breeze::server
