// Alert conditions as people write them, their hysteresis, which rules apply to a device and why, templates,
// where notifications may go and what they say.
#include "alerts/AlertTemplate.h"
#include "alerts/ConditionParser.h"
#include "alerts/ConditionState.h"
#include "alerts/DestinationPolicy.h"
#include "alerts/MetricReading.h"
#include "alerts/NotificationPayload.h"
#include "alerts/RuleBook.h"
#include "alerts/WebhookPoster.h"

#include <QtTest>
#include <arpa/inet.h>
#include <netinet/in.h>

using namespace breeze;
using namespace breeze::server;

namespace {
ConditionSpec parse(const std::string& text) {
    return ConditionParser::parse(text);
}

QString refusalOf(const char* address) {
    sockaddr_storage storage{};
    if (std::string(address).find(':') != std::string::npos) {
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
        v6->sin6_family = AF_INET6;
        inet_pton(AF_INET6, address, &v6->sin6_addr);
    } else {
        auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
        v4->sin_family = AF_INET;
        inet_pton(AF_INET, address, &v4->sin_addr);
    }
    return QString::fromStdString(DestinationPolicy{}.refusal(reinterpret_cast<sockaddr*>(&storage)));
}
} // namespace

class TestAlertUnits final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void expressionsReadAsPeopleWriteThem() {
        const auto cpu = parse("cpu > 90% for 5m");
        QCOMPARE(cpu.kind, ConditionSpec::Kind::Metric);
        QCOMPARE(cpu.metric, ConditionSpec::Metric::Cpu);
        QCOMPARE(cpu.comparison, ConditionSpec::Comparison::Above);
        QCOMPARE(cpu.threshold, 90.0);
        QCOMPARE(cpu.holdSeconds, 300);
        QCOMPARE(cpu.healthySeconds, 300); // healthy as long as it had to be bad
        const auto offline = parse("OFFLINE for 1m");
        QCOMPARE(offline.kind, ConditionSpec::Kind::Offline);
        QCOMPARE(offline.holdSeconds, 60);
        const auto disk = parse("disk_free < 5GB on \"/mnt/my disk\" for 10m clear > 8GB healthy for 30m");
        QCOMPARE(disk.metric, ConditionSpec::Metric::DiskFree);
        QCOMPARE(disk.unit, ConditionSpec::Unit::Bytes);
        QCOMPARE(disk.threshold, 5e9);
        QCOMPARE(disk.mount, std::string("/mnt/my disk"));
        QCOMPARE(*disk.clearThreshold, 8e9);
        QCOMPARE(disk.healthySeconds, 1800);
        QCOMPARE(parse("disk_free < 10% for 10m").unit, ConditionSpec::Unit::Percent);
        QCOMPARE(parse("memory > 95 % for 2h").holdSeconds, 7200);
        QCOMPARE(parse("swap above 50%").holdSeconds, 0);
        QCOMPARE(parse("disk < 512MiB on /var").threshold, 512.0 * 1048576);
    }

    void expressionsRoundTripThroughTheirCanonicalForm() {
        for (const char* text : {"cpu > 90% for 5m", "offline for 1m", "disk_free < 10% for 10m",
                                 "disk_free < 5GB on \"/mnt/my disk\" for 10m clear > 8GB healthy for 30m",
                                 "memory > 80.5% for 90s clear < 70% healthy for 0s", "swap > 0% for 1d"}) {
            const auto spec = parse(text);
            const auto again = ConditionSpec::fromJson(spec.toJson());
            QCOMPARE(again.expression(), spec.expression());
            QCOMPARE(parse(spec.expression()).toJson(), spec.toJson());
        }
        QCOMPARE(parse("cpu > 90% for 300s").expression(), std::string("cpu > 90% for 5m healthy for 5m"));
    }

    void badExpressionsSayWhatIsWrong() {
        const auto refused = [](const std::string& text, const char* expected) {
            try {
                ConditionParser::parse(text);
            } catch (const ConditionError& error) {
                if (!QString(error.what()).contains(expected))
                    qWarning() << text.c_str() << "->" << error.what();
                return QString(error.what()).contains(expected);
            }
            return false;
        };
        QVERIFY(refused("", "starts with what it watches"));
        QVERIFY(refused("service sshd stopped", "unknown condition \"service\""));
        QVERIFY(refused("cpu = 90%", "expected > or <"));
        QVERIFY(refused("cpu > 90", "expected % or a size unit"));
        QVERIFY(refused("cpu > 190%", "from 0 to 100%"));
        QVERIFY(refused("cpu > 90% for 5 weeks", "unit of time"));
        QVERIFY(refused("cpu > 90% for 8d", "at most 7 days"));
        QVERIFY(refused("cpu > 5GB", "measured in percent"));
        QVERIFY(refused("cpu > 90% clear > 80%", "clears with <"));
        QVERIFY(refused("cpu > 90% clear < 95%", "healthy side"));
        QVERIFY(refused("cpu > 90% on /", "only disk_free"));
        QVERIFY(refused("disk_free < 10% clear > 5GB", "threshold's unit"));
        QVERIFY(refused("cpu > 90% for 5m now", "unexpected \"now\""));
        QVERIFY(refused("disk_free < 1% on \"/var", "not closed"));
        QVERIFY(refused(std::string(501, 'x'), "at most 500"));
        QVERIFY(refused("cpu > 1.2.3%", "expected a number"));
    }

    void canonicalJsonIsStrict() {
        auto json = parse("cpu > 90% for 5m").toJson();
        json["extra"] = 1;
        QVERIFY_THROWS_EXCEPTION(ConditionError, ConditionSpec::fromJson(json));
        json = parse("cpu > 90% for 5m").toJson();
        json["for_seconds"] = -1;
        QVERIFY_THROWS_EXCEPTION(ConditionError, ConditionSpec::fromJson(json));
        json = parse("cpu > 90% for 5m").toJson();
        json["threshold"] = "90";
        QVERIFY_THROWS_EXCEPTION(ConditionError, ConditionSpec::fromJson(json));
        QVERIFY_THROWS_EXCEPTION(ConditionError, ConditionSpec::fromJson(nlohmann::json::array()));
        const auto spec = parse("cpu > 90% for 5m");
        QCOMPARE(spec.withOverride({{"threshold", 95}, {"for_seconds", 60}}).expression(),
                 std::string("cpu > 95% for 1m healthy for 5m"));
        QVERIFY_THROWS_EXCEPTION(ConditionError, spec.withOverride({{"threshold", 101}}));
        QVERIFY_THROWS_EXCEPTION(ConditionError, spec.withOverride({{"metric", "swap"}}));
        QVERIFY_THROWS_EXCEPTION(ConditionError, parse("offline for 1m").withOverride({{"threshold", 5}}));
    }

    void aConditionFiresOnlyAfterItsHoldAndClearsOnlyWhenHealthyLongEnough() {
        const auto spec = parse("cpu > 90% for 5m clear < 80% healthy for 2m");
        ConditionState state;
        const std::int64_t minute = 60'000;
        QCOMPARE(state.step(spec, 95, 0), ConditionState::Verdict::None);
        QCOMPARE(state.phase, ConditionState::Phase::Pending);
        QCOMPARE(state.step(spec, 97, 4 * minute), ConditionState::Verdict::None);
        // A dip below the threshold starts the hold over.
        QCOMPARE(state.step(spec, 50, 4 * minute + 1), ConditionState::Verdict::None);
        QCOMPARE(state.phase, ConditionState::Phase::Ok);
        QCOMPARE(state.step(spec, 95, 5 * minute), ConditionState::Verdict::None);
        // Over five minutes since the first bad value, under five since the dip: still pending.
        QCOMPARE(state.step(spec, 95, 9 * minute), ConditionState::Verdict::None);
        QCOMPARE(state.step(spec, 95, 10 * minute), ConditionState::Verdict::Fire);
        QCOMPARE(state.phase, ConditionState::Phase::Firing);
        // Between the clear threshold and the threshold it keeps firing: no flapping around 90 %.
        QCOMPARE(state.step(spec, 85, 11 * minute), ConditionState::Verdict::None);
        QCOMPARE(state.phase, ConditionState::Phase::Firing);
        QCOMPARE(state.step(spec, 70, 12 * minute), ConditionState::Verdict::None);
        QCOMPARE(state.phase, ConditionState::Phase::Clearing);
        QCOMPARE(state.step(spec, 85, 13 * minute), ConditionState::Verdict::None);
        QCOMPARE(state.phase, ConditionState::Phase::Firing);
        QCOMPARE(state.step(spec, 70, 14 * minute), ConditionState::Verdict::None);
        // Two minutes after the first healthy value, one after the healthy time began again: not yet.
        QCOMPARE(state.step(spec, 70, 15 * minute), ConditionState::Verdict::None);
        QCOMPARE(state.step(spec, 60, 16 * minute), ConditionState::Verdict::Resolve);
        QCOMPARE(state.phase, ConditionState::Phase::Ok);
        // Without a hold it fires on the first bad value.
        ConditionState immediate;
        QCOMPARE(immediate.step(parse("memory > 50% healthy for 0s"), 60, 0), ConditionState::Verdict::Fire);
        QCOMPARE(immediate.step(parse("memory > 50% healthy for 0s"), 40, 1),
                 ConditionState::Verdict::Resolve);
    }

    void offlineFiresWhenItsTimeHasPassedAndResolvesOnReturn() {
        const auto spec = parse("offline for 2m");
        ConditionState state;
        QCOMPARE(state.badSince(spec, 1000, 1000 + 60'000), ConditionState::Verdict::None);
        QCOMPARE(state.phase, ConditionState::Phase::Pending);
        QCOMPARE(state.badSince(spec, 1000, 1000 + 120'000), ConditionState::Verdict::Fire);
        QCOMPARE(state.badSince(spec, 1000, 1000 + 180'000), ConditionState::Verdict::None);
        QCOMPARE(state.good(), ConditionState::Verdict::Resolve);
        QCOMPARE(state.good(), ConditionState::Verdict::None);
    }

    void metricsAreReadFromHeartbeats() {
        protocol::Heartbeat heartbeat;
        heartbeat.cpuPercent = 42;
        heartbeat.memoryTotalBytes = 1000;
        heartbeat.memoryUsedBytes = 250;
        heartbeat.filesystems = {{"/", "ext4", 1000, 900, 100}, {"/var", "ext4", 1000, 500, 500}};
        QCOMPARE(MetricReading::read(parse("cpu > 1%"), heartbeat)->value, 42.0);
        QCOMPARE(MetricReading::read(parse("memory > 1%"), heartbeat)->value, 25.0);
        QVERIFY(!MetricReading::read(parse("swap > 1%"), heartbeat)); // no swap: nothing to compare
        const auto fullest = MetricReading::read(parse("disk_free < 20%"), heartbeat);
        QCOMPARE(fullest->mount, std::string("/"));
        QCOMPARE(fullest->value, 10.0);
        QCOMPARE(MetricReading::read(parse("disk_free < 20% on /var"), heartbeat)->value, 50.0);
        QCOMPARE(MetricReading::read(parse("disk_free < 1GB on /var"), heartbeat)->value, 500.0);
        QVERIFY(!MetricReading::read(parse("disk_free < 20% on /srv"), heartbeat));
    }

    void theNearestAssignmentDecidesAndOrganisationRulesStayInside() {
        RuleBook book;
        const auto addRule = [&book](const std::string& id, std::optional<std::string> org,
                                     bool enabled = true) {
            AlertRule rule;
            rule.id = id;
            rule.partnerId = "P";
            rule.orgId = std::move(org);
            rule.name = id;
            rule.spec = ConditionParser::parse("cpu > 90% for 5m");
            rule.enabled = enabled;
            book.addRule(rule);
        };
        const auto assign = [&book](const std::string& rule, AssignmentLevel level, const std::string& target,
                                    bool exclude = false, nlohmann::json override = nullptr) {
            book.addAssignment({rule + "@" + target, rule, level, target, exclude, std::move(override)});
        };
        addRule("partner-cpu", std::nullopt);
        addRule("org-cpu", "O1");
        addRule("other-org", "O2");
        addRule("disabled", std::nullopt, false);
        assign("partner-cpu", AssignmentLevel::Partner, "P");
        assign("partner-cpu", AssignmentLevel::Site, "S2", true); // excluded at site 2
        assign("partner-cpu", AssignmentLevel::Device, "D3", false, {{"threshold", 99}}); // back, stricter
        assign("org-cpu", AssignmentLevel::Group, "G1");
        assign("other-org", AssignmentLevel::Partner, "P"); // an organisation's rule never leaves it
        assign("disabled", AssignmentLevel::Partner, "P");
        const DevicePlacement d1{"D1", "P", "O1", "S1", "G1", "d1", "o", "s"};
        const DevicePlacement d2{"D2", "P", "O1", "S2", "", "d2", "o", "s"};
        const DevicePlacement d3{"D3", "P", "O1", "S2", "G1", "d3", "o", "s"};
        const auto names = [&book](const DevicePlacement& device, bool disabled = false) {
            std::map<std::string, std::string> found;
            for (const auto& rule : book.effectiveRules(device, disabled))
                found[rule.rule->id] = std::string(levelName(rule.level)) + " " + rule.spec.expression();
            return found;
        };
        const auto one = names(d1);
        QCOMPARE(one.size(), std::size_t{2});
        QCOMPARE(one.at("partner-cpu"), std::string("partner cpu > 90% for 5m healthy for 5m"));
        QCOMPARE(one.at("org-cpu"), std::string("group cpu > 90% for 5m healthy for 5m"));
        QVERIFY(names(d2).empty());
        const auto three = names(d3);
        QCOMPARE(three.at("partner-cpu"), std::string("device cpu > 99% for 5m healthy for 5m"));
        QVERIFY(three.contains("org-cpu"));
        QVERIFY(names(d1, true).contains("disabled"));
        QVERIFY(!names(d1).contains("disabled"));
    }

    void templatesFillKnownPlaceholdersOnly() {
        QCOMPARE(AlertTemplate::problem("{rule} on {device}"), std::string());
        QVERIFY(AlertTemplate::problem("{password}").find("unknown placeholder {password}") !=
                std::string::npos);
        QVERIFY(!AlertTemplate::problem("{device").empty());
        QCOMPARE(AlertTemplate::render("{rule}: {device} at {value} {x}",
                                       {{"rule", "CPU"}, {"device", "web-1"}, {"value", "95%"}}),
                 std::string("CPU: web-1 at 95% {x}"));
    }

    void notificationsGoOnlyWhereTheyMay() {
        QVERIFY(refusalOf("93.184.216.34").isEmpty());
        QVERIFY(refusalOf("10.1.2.3").isEmpty()); // an on-premises receiver
        QVERIFY(refusalOf("127.0.0.1").contains("loopback"));
        QVERIFY(refusalOf("::1").contains("loopback"));
        QVERIFY(refusalOf("169.254.169.254").contains("link-local")); // cloud metadata
        QVERIFY(refusalOf("::ffff:169.254.169.254").contains("link-local"));
        QVERIFY(refusalOf("fe80::1").contains("link-local"));
        QVERIFY(refusalOf("0.0.0.0").contains("link-local"));
        QVERIFY(refusalOf("224.0.0.1").contains("multicast"));
        QCOMPARE(WebhookPoster::urlProblem("https://hooks.example.com/x?y=1"), std::string());
        QVERIFY(!WebhookPoster::urlProblem("http://hooks.example.com/x").empty());
        QVERIFY(!WebhookPoster::urlProblem("https://user:pw@hooks.example.com/x").empty());
        QVERIFY(!WebhookPoster::urlProblem("https://hooks.example.com/x\r\nX-Evil: 1").empty());
        QVERIFY(!WebhookPoster::urlProblem("https:///nohost").empty());
    }

    void notificationsSayWhatHappened() {
        NotificationStore::Claimed firing;
        firing.id = 17;
        firing.kind = "firing";
        firing.attempts = 2;
        firing.channelKind = "webhook";
        firing.channelName = "Ops";
        firing.alert = {
            {"id", "A"}, {"severity", "critical"}, {"title", "CPU: web-1"}, {"message", "cpu high"}};
        const auto document = NotificationPayload::webhook(firing, 1700000000);
        QCOMPARE(document["id"], "17");
        QCOMPARE(document["event"], "alert.firing");
        QCOMPARE(document["alert"]["id"], "A");
        QCOMPARE(document["attempt"], 2);
        QCOMPARE(NotificationPayload::headline(firing), std::string("[FIRING] critical: CPU: web-1"));
        auto resolved = firing;
        resolved.kind = "resolved";
        resolved.detail = {{"resolution", "by_hand"}, {"resolved_by", "ann@example.com"}};
        QVERIFY(NotificationPayload::slack(resolved)["text"].get<std::string>().find(
                    "Resolved: by ann@example.com") != std::string::npos);
        resolved.channelKind = "teams";
        const auto card = nlohmann::json::parse(NotificationPayload::body(resolved, 0));
        QCOMPARE(card["@type"], "MessageCard");
        QCOMPARE(card["themeColor"], "2E7D32");
        // A device's name is its agent's word: it cannot ping a Slack channel or forge Markdown in Teams.
        auto hostile = firing;
        hostile.alert["title"] = "<!channel> [click](https://evil.example)";
        const std::string slackText = NotificationPayload::slack(hostile)["text"];
        QVERIFY(slackText.find("<!channel>") == std::string::npos);
        QVERIFY(slackText.find("&lt;!channel&gt;") != std::string::npos);
        hostile.channelKind = "teams";
        const std::string teamsTitle = NotificationPayload::teams(hostile)["title"];
        QVERIFY(teamsTitle.find("\\[click\\]\\(https") != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestAlertUnits)
#include "TestAlertUnits.moc"
