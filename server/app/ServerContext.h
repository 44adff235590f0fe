#pragma once

#include "agents/AgentDirectory.h"
#include "audit/AuditNoise.h"
#include "auth/AccessTokenCodec.h"
#include "auth/PasswordHashing.h"
#include "auth/PrincipalCache.h"
#include "auth/SecretSealer.h"
#include "config/ServerConfig.h"
#include "db/ConnectionPool.h"
#include "http/Router.h"
#include "ops/MetricsRegistry.h"

namespace breeze::server {

// What every route needs, built once at start-up and shared (read-only or internally synchronised) by all
// request threads.
struct ServerContext {
    ServerContext(ServerConfig cfg, ConnectionPool& db, std::string tokenKey, std::string sealingKey)
        : config(std::move(cfg)), pool(db),
          tokens(std::move(tokenKey), std::chrono::seconds(config.accessTokenTtlSeconds)),
          sealer(std::move(sealingKey)) {}

    ServerConfig config;
    ConnectionPool& pool;
    AccessTokenCodec tokens;
    SecretSealer sealer;
    PasswordHashing hasher; // Argon2id, never inside a transaction
    MetricsRegistry metrics;
    AuditNoise auditNoise{metrics};
    PrincipalCache principals;
    Router router;
    // Set once at start-up, before the HTTP server accepts anything.
    AgentDirectory* agents = nullptr;
    unsigned short gatewayPort = 0;
};

} // namespace breeze::server
