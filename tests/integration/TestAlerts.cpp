// Alerts end to end: a real agent's heartbeats and presence drive rules on the real server, notifications go
// through the outbox to a real HTTPS receiver that checks every signature, and come back in order after the
// receiver's outage.
#include "ProgramRun.h"
#include "SmtpReceiver.h"
#include "TestAgent.h"
#include "TestFleet.h"
#include "TestPostgres.h"
#include "WebhookReceiver.h"

#include <QtTest>
#include <set>

using namespace breeze;

class TestAlerts final : public QObject {
    Q_OBJECT

    std::unique_ptr<test::TestPostgres> m_postgres;
    std::unique_ptr<test::WebhookReceiver> m_receiver;
    std::unique_ptr<test::SmtpReceiver> m_smtp;
    QTemporaryDir m_trust;
    std::unique_ptr<test::TestFleet> m_fleet;
    std::unique_ptr<test::TestAgent> m_agent;
    net::RestClient* m_api = nullptr;
    std::string m_device, m_hostname, m_channel;
    static constexpr const char* kSecret = "a webhook secret of some length";

    nlohmann::json alertsOf(const std::string& rule, const std::string& state = "") {
        return m_api->get("/api/v1/alerts?rule=" + rule + (state.empty() ? "" : "&state=" + state))
            .body["items"];
    }

    std::string createRule(const nlohmann::json& body) {
        const auto response = m_api->post("/api/v1/alert-rules", body);
        if (response.status != 201)
            qFatal("rule: %s", response.raw.c_str());
        return response.body["id"];
    }

    // The server's log lines about alerts, for a failure's message.
    QString alertLog() const {
        QStringList lines;
        for (const auto& line : m_fleet->server->logText().split('\n'))
            if (line.contains("alert") || line.contains("notification"))
                lines << line;
        return lines.join('\n');
    }

    bool online() { return m_api->get("/api/v1/devices/" + m_device).body["status"] == "online"; }

    // The receiver's accepted deliveries about one alert, as their event names in arrival order, each
    // notification once (delivery is at least once: a repeat carries the same id).
    std::vector<std::string> eventsFor(const std::string& alertId) {
        std::vector<std::string> events;
        std::set<std::string> seen;
        for (const auto& delivery : m_receiver->deliveries())
            if (delivery.answered && delivery.body.is_object() && delivery.body["alert"].is_object() &&
                delivery.body["alert"]["id"] == alertId &&
                seen.insert(delivery.body["id"].get<std::string>()).second)
                events.push_back(delivery.body["event"]);
        return events;
    }

    // Attempts the receiver saw for an alert, answered or not.
    int attemptsFor(const std::string& alertId) {
        int attempts = 0;
        for (const auto& delivery : m_receiver->deliveries())
            attempts += delivery.body.is_object() && delivery.body["alert"].is_object() &&
                        delivery.body["alert"]["id"] == alertId;
        return attempts;
    }

    static QDateTime timeOf(const nlohmann::json& value) {
        return QDateTime::fromString(QString::fromStdString(value.get<std::string>()), Qt::ISODateWithMs);
    }

private Q_SLOTS:
    void initTestCase() {
        m_postgres = std::make_unique<test::TestPostgres>();
        m_receiver = std::make_unique<test::WebhookReceiver>(kSecret);
        m_smtp = std::make_unique<test::SmtpReceiver>(test::SmtpReceiver::Mode::StartTls, "alerts",
                                                      "mail password");
        // Both receivers have a CA of their own; the server trusts both (besides the system's store).
        QFile trust(m_trust.filePath("receivers.pem"));
        QVERIFY(trust.open(QIODevice::WriteOnly));
        for (const auto& ca : {m_receiver->caFile(), m_smtp->caFile()}) {
            QFile pem(ca);
            QVERIFY(pem.open(QIODevice::ReadOnly));
            trust.write(pem.readAll());
        }
        trust.close();
        m_fleet = std::make_unique<test::TestFleet>(
            *m_postgres, "alerts", "admin@alerts.test", "Alerts MSP", "Fleet", "HQ",
            std::map<std::string, std::string>{{"agents.heartbeat_seconds", "1"},
                                               {"notifications.allow_loopback", "true"},
                                               {"notifications.ca_file", trust.fileName().toStdString()},
                                               {"notifications.retry_min_seconds", "1"},
                                               {"notifications.retry_max_seconds", "2"}});
        m_api = m_fleet->api.get();
        test::TestAgent::Options options;
        options.identity = "alerts-01";
        m_agent = std::make_unique<test::TestAgent>(*m_fleet->server, m_fleet->enrollmentKey(), options);
        m_agent->start();
        m_device = m_agent->deviceId();
        QTRY_VERIFY_WITH_TIMEOUT(online(), 20000);
        m_hostname = m_api->get("/api/v1/devices/" + m_device).body["hostname"];
        const auto channel = m_api->post("/api/v1/notification-channels", {{"name", "Ops webhook"},
                                                                           {"kind", "webhook"},
                                                                           {"org_id", m_fleet->org},
                                                                           {"url", m_receiver->url()},
                                                                           {"secret", kSecret}});
        QCOMPARE(channel.status, 201);
        m_channel = channel.body["id"];
        QCOMPARE(channel.body["signed"], true);
        QVERIFY(channel.raw.find(kSecret) == std::string::npos);
    }

    void cleanupTestCase() {
        m_agent.reset();
        m_fleet.reset();
        m_receiver.reset();
        m_smtp.reset();
        m_postgres.reset();
    }

    // Each test starts without rules (a failed one may have left its own).
    void cleanup() {
        const auto rules = m_api->get("/api/v1/alert-rules").body["items"];
        for (const auto& rule : rules)
            m_api->del("/api/v1/alert-rules/" + rule["id"].get<std::string>());
    }

    void sendTestReportsTheReceiversAnswer() {
        const auto sent =
            m_api->post("/api/v1/notification-channels/" + m_channel + "/test", nlohmann::json::object());
        QVERIFY2(sent.status == 200, sent.raw.c_str());
        QVERIFY2(sent.body["delivered"] == true, sent.raw.c_str());
        QVERIFY2(sent.body["response"].get<std::string>().starts_with("HTTP 200"), sent.raw.c_str());
        const auto tests = m_receiver->accepted("test");
        QCOMPARE(tests.size(), std::size_t{1});
        QVERIFY(tests[0].signatureValid);
        QCOMPARE(tests[0].headers.at("x-breeze-event"), std::string("test"));
        // A channel whose receiver is not there says so instead of pretending.
        const auto dead = m_api->post("/api/v1/notification-channels", {{"name", "Nobody"},
                                                                        {"kind", "webhook"},
                                                                        {"org_id", m_fleet->org},
                                                                        {"url", "https://127.0.0.1:1/hook"},
                                                                        {"secret", kSecret}});
        QCOMPARE(dead.status, 201);
        const auto failed =
            m_api->post("/api/v1/notification-channels/" + dead.body["id"].get<std::string>() + "/test",
                        nlohmann::json::object());
        QCOMPARE(failed.body["delivered"], false);
        QCOMPARE(failed.body["state"], "given_up");
        QVERIFY2(failed.body["last_error"].get<std::string>().find("connect") != std::string::npos,
                 failed.raw.c_str());
        QCOMPARE(m_api->del("/api/v1/notification-channels/" + dead.body["id"].get<std::string>()).status,
                 204);
        // Refused outright: plain http, a link-local target, a webhook without a secret.
        QCOMPARE(m_api
                     ->post("/api/v1/notification-channels", {{"name", "Plain"},
                                                              {"kind", "webhook"},
                                                              {"url", "http://example.com/"},
                                                              {"secret", kSecret}})
                     .status,
                 400);
        QCOMPARE(m_api
                     ->post("/api/v1/notification-channels",
                            {{"name", "Unsigned"}, {"kind", "webhook"}, {"url", m_receiver->url()}})
                     .status,
                 400);
    }

    void offlineAlertFiresAndResolvesWithSignedNotifications() {
        const std::string rule = createRule({{"name", "Gone quiet"},
                                             {"condition", "offline for 3s"},
                                             {"severity", "critical"},
                                             {"org_id", m_fleet->org},
                                             {"channel_ids", {m_channel}}});
        QTest::qWait(1500);
        QVERIFY(alertsOf(rule).empty());
        m_agent->stop();
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, 20000);
        const auto alert = alertsOf(rule, "active")[0];
        QVERIFY2(alert["severity"] == "critical", alert.dump().c_str());
        QVERIFY2(alert["title"] == "Gone quiet: " + m_hostname, alert.dump().c_str());
        QVERIFY(alert["message"].get<std::string>().find("offline for") != std::string::npos);
        const std::string alertId = alert["id"];
        QTRY_VERIFY_WITH_TIMEOUT(eventsFor(alertId) == std::vector<std::string>{"alert.firing"}, 20000);
        m_agent->start();
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "resolved").size() == 1, 30000);
        QCOMPARE(alertsOf(rule, "resolved")[0]["resolution"], "cleared");
        QTRY_VERIFY_WITH_TIMEOUT(
            (eventsFor(alertId) == std::vector<std::string>{"alert.firing", "alert.resolved"}), 20000);
        for (const auto& delivery : m_receiver->deliveries())
            QVERIFY2(delivery.signatureValid, delivery.rawBody.c_str());
        // The alert keeps its record of what was sent.
        const auto shown = m_api->get("/api/v1/alerts/" + alertId).body;
        QCOMPARE(shown["notifications"].size(), std::size_t{2});
        QCOMPARE(shown["notifications"][1]["kind"], "resolved");
        QCOMPARE(shown["notifications"][1]["state"], "sent");
        QCOMPARE(m_api->del("/api/v1/alert-rules/" + rule).status, 204);
    }

    void metricAlertHoldsThenClearsWhenTheConditionChanges() {
        // Memory in use is above 0 % on any running machine: the real agent's heartbeats make it fire once it
        // has held; raising the threshold beyond 100 % makes the same heartbeats clear it.
        const std::string rule = createRule({{"name", "Memory"},
                                             {"condition", "memory > 0% for 3s healthy for 0s"},
                                             {"severity", "warning"},
                                             {"channel_ids", {m_channel}},
                                             {"applies_to", "device"},
                                             {"target_id", m_device}});
        QTRY_VERIFY2_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, qPrintable(alertLog()), 20000);
        const auto alert = alertsOf(rule, "active")[0];
        // The server's own times: the alert opened no sooner than the hold after the rule existed.
        const auto ruleCreated = timeOf(m_api->get("/api/v1/alert-rules/" + rule).body["created_at"]);
        const auto opened = timeOf(alert["opened_at"]);
        QVERIFY(ruleCreated.isValid() && opened.isValid());
        QVERIFY2(ruleCreated.msecsTo(opened) >= 3000,
                 qPrintable(QString::number(ruleCreated.msecsTo(opened))));
        QCOMPARE(alert["value"]["metric"], "memory");
        QVERIFY(alert["value"]["value"].get<double>() > 0);
        const auto updated =
            m_api->patch("/api/v1/alert-rules/" + rule, {{"condition", "memory > 100% healthy for 0s"}});
        QCOMPARE(updated.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "resolved").size() == 1, 20000);
        const std::string alertId = alert["id"];
        QTRY_VERIFY_WITH_TIMEOUT(
            (eventsFor(alertId) == std::vector<std::string>{"alert.firing", "alert.resolved"}), 20000);
        QCOMPARE(m_api->del("/api/v1/alert-rules/" + rule).status, 204);
    }

    void anOutageDelaysNotificationsButLosesAndReordersNone() {
        m_receiver->setMode(test::WebhookReceiver::Mode::Refuse);
        const int attemptsBefore = m_receiver->attempts();
        const std::string rule = createRule({{"name", "Outage"},
                                             {"condition", "memory > 0% healthy for 0s"},
                                             {"severity", "info"},
                                             {"channel_ids", {m_channel}},
                                             {"applies_to", "device"},
                                             {"target_id", m_device}});
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, 20000);
        const std::string alertId = alertsOf(rule, "active")[0]["id"];
        QTRY_VERIFY_WITH_TIMEOUT(m_receiver->attempts() >= attemptsBefore + 2, 20000);
        // Resolved by hand while the receiver is still down: the resolution waits behind the firing notice.
        // The condition still holds, so it may fire again (the same alert, reopened); disabling the rule ends
        // it.
        QCOMPARE(m_api->post("/api/v1/alerts/" + alertId + "/resolve", nlohmann::json::object()).status, 200);
        QCOMPARE(m_api->patch("/api/v1/alert-rules/" + rule, {{"enabled", false}}).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "open").empty(), 20000);
        // Tried and refused, nothing counted as sent.
        QTRY_VERIFY_WITH_TIMEOUT(attemptsFor(alertId) >= 2, 20000);
        QVERIFY(eventsFor(alertId).empty());
        {
            const auto waiting = m_api->get("/api/v1/alerts/" + alertId).body["notifications"];
            for (const auto& notice : waiting)
                QVERIFY2(notice["state"] == "pending" || notice["state"] == "sending", notice.dump().c_str());
        }
        m_receiver->setMode(test::WebhookReceiver::Mode::Drop);
        QTest::qWait(2500);
        m_receiver->setMode(test::WebhookReceiver::Mode::Accept);
        const auto notices = [this, &alertId] {
            return m_api->get("/api/v1/alerts/" + alertId).body["notifications"];
        };
        const auto allSent = [&notices] {
            const auto all = notices();
            return !all.empty() && std::all_of(all.begin(), all.end(),
                                               [](const nlohmann::json& n) { return n["state"] == "sent"; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(allSent(), 30000);
        // Every firing notice was followed by its resolution, in order, and the first resolution says who.
        const auto events = eventsFor(alertId);
        QCOMPARE(events.size(), notices().size());
        QVERIFY(events.size() >= 2 && events.size() % 2 == 0);
        for (std::size_t i = 0; i < events.size(); ++i)
            QCOMPARE(events[i], std::string(i % 2 == 0 ? "alert.firing" : "alert.resolved"));
        std::vector<nlohmann::json> resolutions;
        for (const auto& delivery : m_receiver->accepted("alert.resolved"))
            if (delivery.body["alert"]["id"] == alertId)
                resolutions.push_back(delivery.body["detail"]);
        QCOMPARE(resolutions.front()["resolution"], "by_hand");
        QCOMPARE(resolutions.front()["resolved_by"], "admin@alerts.test");
        // A refire that came before the rule was disabled was ended by the disabling.
        for (std::size_t i = 1; i < resolutions.size(); ++i)
            QCOMPARE(resolutions[i]["resolution"], "rule_disabled");
        QVERIFY(notices()[0]["attempts"].get<int>() > 1);
    }

    void acknowledgingKeepsWhoAndWhyAndDeletingARuleResolvesItsAlerts() {
        const std::string rule = createRule({{"name", "Ack me"},
                                             {"condition", "memory > 0% healthy for 0s"},
                                             {"severity", "warning"},
                                             {"channel_ids", {m_channel}},
                                             {"org_id", m_fleet->org}});
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, 20000);
        const std::string alertId = alertsOf(rule, "active")[0]["id"];
        const auto acked =
            m_api->post("/api/v1/alerts/" + alertId + "/acknowledge", {{"note", "looking at it"}});
        QCOMPARE(acked.status, 200);
        QCOMPARE(acked.body["state"], "acknowledged");
        QCOMPARE(acked.body["acknowledged_by"], "admin@alerts.test");
        QCOMPARE(acked.body["acknowledge_note"], "looking at it");
        QCOMPARE(m_api->post("/api/v1/alerts/" + alertId + "/acknowledge", nlohmann::json::object()).status,
                 409);
        const auto summary = m_api->get("/api/v1/alerts/summary").body;
        QCOMPARE(summary["acknowledged"]["warning"], 1);
        QTRY_VERIFY_WITH_TIMEOUT(eventsFor(alertId).size() == 1, 20000);
        QCOMPARE(m_api->del("/api/v1/alert-rules/" + rule).status, 204);
        const auto ended = m_api->get("/api/v1/alerts/" + alertId).body;
        QCOMPARE(ended["state"], "resolved");
        QCOMPARE(ended["resolution"], "rule_deleted");
        QTRY_VERIFY_WITH_TIMEOUT(
            (eventsFor(alertId) == std::vector<std::string>{"alert.firing", "alert.resolved"}), 20000);
    }

    void aDeviceShowsItsEffectiveRulesAndWhereTheyCameFrom() {
        const std::string rule =
            createRule({{"name", "CPU"}, {"condition", "cpu > 90% for 5m"}, {"severity", "warning"}});
        const auto rules = [this] {
            return m_api->get("/api/v1/devices/" + m_device + "/alert-rules").body["items"];
        };
        QCOMPARE(rules().size(), std::size_t{1});
        QCOMPARE(rules()[0]["from"]["scope"], "partner");
        QCOMPARE(rules()[0]["partner_wide"], true);
        QCOMPARE(m_api
                     ->post("/api/v1/alert-rules/" + rule + "/assignments",
                            {{"scope", "site"}, {"target_id", m_fleet->site}, {"exclude", true}})
                     .status,
                 201);
        QVERIFY(rules().empty());
        QCOMPARE(m_api
                     ->post("/api/v1/alert-rules/" + rule + "/assignments",
                            {{"scope", "device"}, {"target_id", m_device}, {"override", {{"threshold", 97}}}})
                     .status,
                 201);
        QCOMPARE(rules().size(), std::size_t{1});
        QCOMPARE(rules()[0]["from"]["scope"], "device");
        QCOMPARE(rules()[0]["expression"], "cpu > 97% for 5m healthy for 5m");
        QCOMPARE(rules()[0]["overridden"], true);
        // An override the condition cannot take is refused.
        QCOMPARE(
            m_api
                ->post("/api/v1/alert-rules/" + rule + "/assignments",
                       {{"scope", "device"}, {"target_id", m_device}, {"override", {{"threshold", 190}}}})
                .status,
            400);
        QCOMPARE(m_api
                     ->post("/api/v1/alert-rules",
                            {{"name", "Bad"}, {"condition", "cpu >> 9"}, {"severity", "warning"}})
                     .status,
                 400);
        QCOMPARE(m_api->del("/api/v1/alert-rules/" + rule).status, 204);
    }

    void emailGoesThroughARealSmtpServerWithStartTlsAndAuth() {
        // Not set yet: the channel's test says so.
        const auto channel = m_api->post("/api/v1/notification-channels",
                                         {{"name", "On-call mail"},
                                          {"kind", "email"},
                                          {"org_id", m_fleet->org},
                                          {"to", {"oncall@example.com", "boss@example.com"}}});
        QVERIFY2(channel.status == 201, channel.raw.c_str());
        QCOMPARE(channel.body["target"], "oncall@example.com, boss@example.com");
        const std::string channelId = channel.body["id"];
        auto tested =
            m_api->post("/api/v1/notification-channels/" + channelId + "/test", nlohmann::json::object());
        QCOMPARE(tested.body["delivered"], false);
        QVERIFY2(tested.raw.find("no SMTP server") != std::string::npos, tested.raw.c_str());
        // A wrong password is refused by the server and said.
        const nlohmann::json smtp{{"host", "127.0.0.1"},    {"port", m_smtp->port()},
                                  {"security", "starttls"}, {"username", "alerts"},
                                  {"password", "not it"},   {"from", "breeze@example.com"}};
        QCOMPARE(m_api->request("PUT", "/api/v1/notification-smtp", smtp).status, 200);
        tested =
            m_api->post("/api/v1/notification-channels/" + channelId + "/test", nlohmann::json::object());
        QCOMPARE(tested.body["delivered"], false);
        QVERIFY2(tested.raw.find("refused") != std::string::npos,
                 qPrintable(QString::fromStdString(tested.raw) + alertLog()));
        auto right = smtp;
        right["password"] = "mail password";
        const auto saved = m_api->request("PUT", "/api/v1/notification-smtp", right);
        QCOMPARE(saved.status, 200);
        QCOMPARE(saved.body["password_set"], true);
        QVERIFY(saved.raw.find("mail password") == std::string::npos);
        tested =
            m_api->post("/api/v1/notification-channels/" + channelId + "/test", nlohmann::json::object());
        QVERIFY2(tested.body["delivered"] == true, tested.raw.c_str());
        QCOMPARE(m_smtp->messages().size(), std::size_t{1});
        QCOMPARE(m_smtp->messages()[0]["tls"], true);
        QCOMPARE(m_smtp->messages()[0]["login"], "alerts");
        // An alert's firing and resolution arrive as mail, threaded together.
        const std::string rule = createRule({{"name", "Mail memory"},
                                             {"condition", "memory > 0% healthy for 0s"},
                                             {"severity", "critical"},
                                             {"channel_ids", {channelId}},
                                             {"applies_to", "device"},
                                             {"target_id", m_device}});
        QTRY_VERIFY_WITH_TIMEOUT(m_smtp->messages().size() == 2, 20000);
        QCOMPARE(m_api->patch("/api/v1/alert-rules/" + rule, {{"enabled", false}}).status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(m_smtp->messages().size() == 3, 20000);
        const auto firing = m_smtp->messages()[1];
        const auto resolved = m_smtp->messages()[2];
        QCOMPARE(firing["rcpt_tos"], nlohmann::json({"oncall@example.com", "boss@example.com"}));
        QCOMPARE(firing["mail_from"], "breeze@example.com");
        const std::string firingText = firing["data"], resolvedText = resolved["data"];
        QVERIFY2(firingText.find("Subject: [FIRING] critical: Mail memory: " + m_hostname) !=
                     std::string::npos,
                 firingText.c_str());
        QVERIFY2(resolvedText.find("Subject: [RESOLVED] critical") != std::string::npos,
                 resolvedText.c_str());
        QVERIFY2(resolvedText.find("In-Reply-To: <alert-") != std::string::npos, resolvedText.c_str());
        QVERIFY(resolvedText.find("rule_disabled") != std::string::npos);
        QCOMPARE(m_api->get("/api/v1/notification-smtp").body["host"], "127.0.0.1");
        // TLS from the first byte (port 465 style), signed by the same CA.
        test::SmtpReceiver implicitTls(test::SmtpReceiver::Mode::Tls, "alerts", "mail password",
                                       &m_smtp->ca());
        right["security"] = "tls";
        right["port"] = implicitTls.port();
        QCOMPARE(m_api->request("PUT", "/api/v1/notification-smtp", right).status, 200);
        tested =
            m_api->post("/api/v1/notification-channels/" + channelId + "/test", nlohmann::json::object());
        QVERIFY2(tested.body["delivered"] == true, tested.raw.c_str());
        QCOMPARE(implicitTls.messages().size(), std::size_t{1});
        QCOMPARE(implicitTls.messages()[0]["tls"], true);
        // Plain SMTP is only for a relay on this host; the test server is one, so it is the server's refusal
        // of a cleartext session (it requires STARTTLS) that shows.
        right["security"] = "plain";
        right["port"] = m_smtp->port();
        QCOMPARE(m_api->request("PUT", "/api/v1/notification-smtp", right).status, 200);
        tested =
            m_api->post("/api/v1/notification-channels/" + channelId + "/test", nlohmann::json::object());
        QCOMPARE(tested.body["delivered"], false);
        QCOMPARE(m_api
                     ->request("PUT", "/api/v1/notification-smtp",
                               nlohmann::json{{"host", "x y"}, {"from", "a@b.c"}})
                     .status,
                 400);
        QCOMPARE(m_api
                     ->request("PUT", "/api/v1/notification-smtp",
                               nlohmann::json{{"host", "mail.example.com"}, {"from", "not an address"}})
                     .status,
                 400);
        QCOMPARE(m_api->del("/api/v1/notification-smtp").status, 204);
        QCOMPARE(m_api->get("/api/v1/notification-smtp").body["configured"], false);
    }

    void maintenanceKeepsQuietThenLooksAfreshAndReplaysNothing() {
        const auto now = QDateTime::currentDateTimeUtc();
        const auto window =
            m_api->post("/api/v1/maintenance-windows",
                        {{"scope", "site"},
                         {"target_id", m_fleet->site},
                         {"starts_at", now.addSecs(-1).toString(Qt::ISODateWithMs).toStdString()},
                         {"ends_at", now.addSecs(600).toString(Qt::ISODateWithMs).toStdString()},
                         {"reason", "patching"}});
        QVERIFY2(window.status == 201, window.raw.c_str());
        QCOMPARE(window.body["active"], true);
        const std::string rule = createRule({{"name", "During maintenance"},
                                             {"condition", "memory > 0% healthy for 0s"},
                                             {"severity", "warning"},
                                             {"channel_ids", {m_channel}},
                                             {"applies_to", "device"},
                                             {"target_id", m_device}});
        // Inside the window: recorded, nothing sent.
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, 20000);
        const auto quiet = alertsOf(rule, "active")[0];
        QCOMPARE(quiet["maintenance"], true);
        const std::string quietId = quiet["id"];
        QTest::qWait(1500);
        QCOMPARE(m_api->get("/api/v1/alerts/" + quietId).body["state"], "active");
        QCOMPARE(attemptsFor(quietId), 0);
        // When it ends (here: cut short by deleting it), the quiet alert closes without a word and the
        // condition, still bad, fires afresh.
        QCOMPARE(m_api->del("/api/v1/maintenance-windows/" + window.body["id"].get<std::string>()).status,
                 204);
        QTRY_VERIFY_WITH_TIMEOUT(m_api->get("/api/v1/alerts/" + quietId).body["state"] == "resolved", 30000);
        QCOMPARE(m_api->get("/api/v1/alerts/" + quietId).body["resolution"], "maintenance_ended");
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, 20000);
        const auto fresh = alertsOf(rule, "active")[0];
        QVERIFY(fresh["id"] != quietId);
        QCOMPARE(fresh["maintenance"], false);
        QTRY_VERIFY_WITH_TIMEOUT(eventsFor(fresh["id"]) == std::vector<std::string>{"alert.firing"}, 20000);
        QVERIFY(eventsFor(quietId).empty());
        QVERIFY(m_api->get("/api/v1/alerts/" + quietId).body["notifications"].empty());
        QVERIFY(m_api->get("/api/v1/maintenance-windows").body["items"].empty());
        // Refused: a window without an offset, one that ends before it starts, a daily one longer than a day.
        QCOMPARE(m_api
                     ->post("/api/v1/maintenance-windows", {{"scope", "site"},
                                                            {"target_id", m_fleet->site},
                                                            {"starts_at", "2026-12-31T22:00:00"},
                                                            {"ends_at", "2026-12-31T23:00:00"}})
                     .status,
                 400);
        QCOMPARE(m_api
                     ->post("/api/v1/maintenance-windows", {{"scope", "site"},
                                                            {"target_id", m_fleet->site},
                                                            {"starts_at", "2026-12-31T22:00:00Z"},
                                                            {"ends_at", "2026-12-31T21:00:00Z"}})
                     .status,
                 400);
        QCOMPARE(m_api
                     ->post("/api/v1/maintenance-windows", {{"scope", "site"},
                                                            {"target_id", m_fleet->site},
                                                            {"repeat", "daily"},
                                                            {"starts_at", "2026-12-31T22:00:00Z"},
                                                            {"ends_at", "2027-01-02T21:00:00Z"}})
                     .status,
                 400);
    }

    void aRefireReopensTheAlertAndFlappingIsAnnouncedOnce() {
        const std::string rule = createRule({{"name", "Flappy"},
                                             {"condition", "memory > 0% healthy for 0s"},
                                             {"severity", "warning"},
                                             {"channel_ids", {m_channel}},
                                             {"applies_to", "device"},
                                             {"target_id", m_device}});
        std::string alertId;
        for (int fire = 1; fire <= 5; ++fire) {
            QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, 20000);
            const std::string id = alertsOf(rule, "active")[0]["id"];
            if (alertId.empty())
                alertId = id;
            QCOMPARE(id, alertId); // the same alert, reopened, not a new one each time
            QCOMPARE(
                m_api->patch("/api/v1/alert-rules/" + rule, {{"condition", "memory > 100% healthy for 0s"}})
                    .status,
                200);
            QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "open").empty(), 20000);
            if (fire < 5)
                QCOMPARE(
                    m_api->patch("/api/v1/alert-rules/" + rule, {{"condition", "memory > 0% healthy for 0s"}})
                        .status,
                    200);
        }
        const auto shown = m_api->get("/api/v1/alerts/" + alertId).body;
        QCOMPARE(shown["reopen_count"], 4);
        QCOMPARE(shown["flapping"], true);
        // Four announced fires, each with its resolution; the fourth says it is flapping; the fifth is quiet.
        QTRY_COMPARE_WITH_TIMEOUT(eventsFor(alertId).size(), std::size_t{8}, 20000);
        const auto events = eventsFor(alertId);
        for (std::size_t i = 0; i < events.size(); ++i)
            QCOMPARE(events[i], std::string(i % 2 == 0 ? "alert.firing" : "alert.resolved"));
        std::vector<bool> flapping;
        for (const auto& delivery : m_receiver->accepted("alert.firing"))
            if (delivery.body["alert"]["id"] == alertId)
                flapping.push_back(delivery.body["detail"]["flapping"].get<bool>());
        QCOMPARE(flapping, (std::vector<bool>{false, false, false, true}));
        QCOMPARE(shown["notifications"].size(), std::size_t{8});
    }

    void deletingADeviceOrAChannelStillPaysWhatIsOwed() {
        // A device that never connects: offline from its enrollment.
        const std::string ghost = m_fleet->enroll("ghost-01")["device_id"];
        const auto second = m_api->post("/api/v1/notification-channels", {{"name", "Second"},
                                                                          {"kind", "webhook"},
                                                                          {"org_id", m_fleet->org},
                                                                          {"url", m_receiver->url("/second")},
                                                                          {"secret", kSecret}});
        QCOMPARE(second.status, 201);
        const std::string rule = createRule({{"name", "Ghost offline"},
                                             {"condition", "offline for 1s"},
                                             {"severity", "critical"},
                                             {"channel_ids", {second.body["id"]}},
                                             {"applies_to", "device"},
                                             {"target_id", ghost}});
        QTRY_VERIFY_WITH_TIMEOUT(alertsOf(rule, "active").size() == 1, 20000);
        const std::string alertId = alertsOf(rule, "active")[0]["id"];
        QTRY_VERIFY_WITH_TIMEOUT(eventsFor(alertId) == std::vector<std::string>{"alert.firing"}, 20000);
        // The channel goes; the rule stops naming it, but the resolution it is owed still reaches it.
        QCOMPARE(m_api->del("/api/v1/notification-channels/" + second.body["id"].get<std::string>()).status,
                 204);
        QVERIFY(m_api->get("/api/v1/alert-rules/" + rule).body["channel_ids"].empty());
        QCOMPARE(m_api->del("/api/v1/devices/" + ghost).status, 204);
        const auto ended = m_api->get("/api/v1/alerts/" + alertId).body;
        QCOMPARE(ended["state"], "resolved");
        QCOMPARE(ended["resolution"], "device_deleted");
        QTRY_VERIFY_WITH_TIMEOUT(
            (eventsFor(alertId) == std::vector<std::string>{"alert.firing", "alert.resolved"}), 20000);
        for (const auto& delivery : m_receiver->deliveries())
            if (delivery.body.is_object() && delivery.body["alert"].is_object() &&
                delivery.body["alert"]["id"] == alertId)
                QCOMPARE(delivery.path, std::string("/second"));
    }

    void theAdminCliManagesChannelsRulesAndAlerts() {
        QTemporaryDir home;
        const QProcessEnvironment env = m_fleet->adminEnvironment(home.path(), "cli-alerts");
        const auto admin = [&env](const QStringList& args, const QString& input = {}) {
            return test::ProgramRun::run("breeze-admin", args, input, env);
        };
        auto run = admin({"notifications", "channels", "create", "--name", "CLI hook", "--type", "webhook",
                          "--url", QString::fromStdString(m_receiver->url("/cli")), "--org", "Fleet",
                          "--secret-stdin", "--json"},
                         QString(kSecret) + "\n");
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.json()["kind"], "webhook");
        run = admin({"notifications", "channels", "test", "CLI hook"});
        QVERIFY2(run.exitCode == 0 && run.out.startsWith("delivered: HTTP 200"),
                 qPrintable(run.out + run.err));
        run =
            admin({"alert-rules", "create", "--name", "CLI memory", "--site", "HQ", "--condition",
                   "memory > 0% healthy for 0s", "--severity", "warning", "--notify", "CLI hook", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.json()["expression"], "memory > 0% for 0s healthy for 0s");
        QCOMPARE(run.json()["assignments"][0]["scope"], "site");
        run = admin({"alert-rules", "device", QString::fromStdString(m_device), "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.json()["items"][0]["from"]["scope"], "site");
        nlohmann::json active;
        QTRY_VERIFY_WITH_TIMEOUT((active = admin({"alerts", "list", "--state", "active", "--device",
                                                  QString::fromStdString(m_device), "--json"})
                                               .json()["items"])
                                         .size() == 1,
                                 20000);
        const QString alertId = QString::fromStdString(active[0]["id"]);
        run = admin({"alerts", "ack", alertId, "--note", "on it", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.json()["acknowledge_note"], "on it");
        QCOMPARE(run.json()["acknowledged_by"], "cli-alerts");
        run = admin({"alert-rules", "assign", "CLI memory", "--device", QString::fromStdString(m_device),
                     "--threshold", "100", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.json()["override"]["threshold"], 100);
        // Nothing uses more than all of its memory: the override ends the alert.
        QTRY_VERIFY_WITH_TIMEOUT(
            m_api->get("/api/v1/alerts/" + alertId.toStdString()).body["state"] == "resolved", 20000);
        run = admin({"alert-rules", "list"});
        QVERIFY2(run.out.contains("CLI memory") && run.out.contains("memory > 0% for 0s"),
                 qPrintable(run.out));
        run = admin({"alert-rules", "create", "--name", "Broken", "--condition", "cpu >> 9", "--severity",
                     "warning"});
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("expected"), qPrintable(run.err));
        QCOMPARE(admin({"alert-rules", "delete", "CLI memory"}).exitCode, 0);
        run = admin({"maintenance", "create", "--site", "HQ", "--from", "2099-01-04T22:00:00+01:00", "--to",
                     "2099-01-05T02:00:00+01:00", "--every", "week", "--reason", "patch night", "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(run.json()["repeat"], "weekly");
        QCOMPARE(run.json()["target_name"], "HQ");
        run = admin({"maintenance", "list"});
        QVERIFY2(run.out.contains("patch night") && run.out.contains("weekly"), qPrintable(run.out));
        QCOMPARE(admin({"maintenance", "delete",
                        QString::fromStdString(run.out.split('\n')[1].split(' ')[0].toStdString())})
                     .exitCode,
                 0);
        QCOMPARE(admin({"notifications", "channels", "delete", "CLI hook"}).exitCode, 0);
    }
};

QTEST_GUILESS_MAIN(TestAlerts)
#include "TestAlerts.moc"
