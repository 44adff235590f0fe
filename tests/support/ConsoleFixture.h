#pragma once

#include "TestServer.h"

#include <memory>

namespace breeze::console {
class ApiClient;
class ConsoleConnection;
class SignInSession;
} // namespace breeze::console

namespace breeze::test {

// What the console suites share: the console's own client or connection to a test server (trusting exactly
// its CA, as a technician's console pins it), and signing it in as an administrator the way the sign-in
// dialog does, TOTP included.
std::unique_ptr<console::ApiClient> consoleApi(const TestServer& server);
std::unique_ptr<console::ConsoleConnection> consoleConnection(const TestServer& server);

// Signs in and waits (10 s at most); false when it did not happen.
bool signIn(console::SignInSession& session, const AdminCredentials& admin);
// Signs in and waits for the device list and the organisation tree to arrive (15 s at most).
bool signIn(console::ConsoleConnection& connection, const AdminCredentials& admin);

} // namespace breeze::test
