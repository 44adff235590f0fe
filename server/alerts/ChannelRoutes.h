#pragma once

namespace breeze::server {

class Router;

// Notification channels: GET and POST /api/v1/notification-channels, DELETE
// /api/v1/notification-channels/{id} and POST /api/v1/notification-channels/{id}/test (sends through the
// outbox and reports the receiver's answer).
void registerChannelRoutes(Router& router);

} // namespace breeze::server
