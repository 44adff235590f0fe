#pragma once

namespace breeze::server {

class Router;

// The partner's SMTP server for e-mail notifications: GET, PUT and DELETE /api/v1/notification-smtp.
void registerSmtpRoutes(Router& router);

} // namespace breeze::server
