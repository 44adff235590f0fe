#pragma once

#include "alerts/NotificationStore.h"

#include <string>

namespace breeze::server {

// What a notification says on each kind of channel: the generic webhook's JSON document (the alert as the
// API shows it, the kind of notice and its own id, so a receiver can drop a repeated delivery), a Slack
// message, a Teams card.
class NotificationPayload {
public:
    // "alert.firing", "alert.resolved", "test"
    static std::string eventName(const NotificationStore::Claimed& notification);
    // "[FIRING] critical: Disk almost full: web-1" as a one-line summary (subjects, Slack, Teams).
    static std::string headline(const NotificationStore::Claimed& notification);
    static nlohmann::json webhook(const NotificationStore::Claimed& notification, long long sentAt);
    // An e-mail's body: what happened, then the alert's facts one per line.
    static std::string text(const NotificationStore::Claimed& notification);
    static nlohmann::json slack(const NotificationStore::Claimed& notification);
    static nlohmann::json teams(const NotificationStore::Claimed& notification);
    // The body for the channel's kind.
    static std::string body(const NotificationStore::Claimed& notification, long long sentAt);
};

} // namespace breeze::server
