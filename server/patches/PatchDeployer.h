#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace breeze::server {

class ScopedTransaction;

// Turns a deployment into commands when it is due: for each of its devices, one patch_install of the updates
// the device misses (or failed) that are approved for it at that moment, so a rejection made after the
// deployment was scheduled still holds. Returns the summary it also stores: what was queued where, and which
// devices had nothing approved to install.
class PatchDeployer {
public:
    static nlohmann::json queue(ScopedTransaction& tx, const std::string& deploymentId);
};

} // namespace breeze::server
