#pragma once

#include "ApiClient.h"

#include <QJsonArray>
#include <functional>

namespace breeze::console {

// Follows next_cursor through every page of a REST list; `done` gets all items, or the error in words.
void loadAllPages(ApiClient& api, const QString& pathAndQuery,
                  std::function<void(const QJsonArray& items, const QString& error)> done);

// The one line that installs and enrolls an agent on a new machine (what `breeze-admin enrollment-keys
// install-command` prints): it carries the server's CA, which protects the package download and is pinned by
// the agent at enrollment.
QString agentInstallCommand(const QUrl& server, const QByteArray& caPem, const QString& enrollmentKey,
                            const QString& packageUrl = {});

} // namespace breeze::console
