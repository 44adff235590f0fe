#pragma once

namespace breeze::server {

class Router;

// /api/v1/auth: sign-in, refresh, sign-out, who am I, password change, and MFA enrolment.
void registerAuthRoutes(Router& router);

} // namespace breeze::server
