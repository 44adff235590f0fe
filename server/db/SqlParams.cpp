#include "db/SqlParams.h"

#include <pqxx/prepared_statement>

namespace breeze::server {

pqxx::result SqlParams::exec(pqxx::transaction_base& tx, const std::string& sql) const {
    std::vector<const char*> raw;
    raw.reserve(m_values.size());
    for (const auto& value : m_values)
        raw.push_back(value ? value->c_str() : nullptr);
    return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(raw));
}

} // namespace breeze::server
