#pragma once

#include "ApiClient.h"

#include <QJsonArray>
#include <functional>

namespace breeze::console {

// Follows next_cursor through every page of a REST list; `done` gets all items, or the error in words.
class ScopedApi;

void loadAllPages(ApiClient& api, const QString& pathAndQuery,
                  std::function<void(const QJsonArray& items, const QString& error)> done);
// The same for one asker: `done` is not called once its scope has ended.
void loadAllPages(ScopedApi& api, const QString& pathAndQuery,
                  std::function<void(const QJsonArray& items, const QString& error)> done);

// The install line of breeze::enrollment::agentInstallCommand for Qt callers; throws std::invalid_argument
// for values that cannot go into a shell line safely.
QString agentInstallCommand(const QUrl& server, const QByteArray& caPem, const QString& enrollmentKey,
                            const QString& packageUrl = {});

} // namespace breeze::console
