// /metrics against a scripted session: exact counters, the access log, promtool's checks, and a
// real Prometheus scraping the server.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>

#include "ChildProcess.hpp"
#include "ServerProcess.hpp"
#include "WsClient.hpp"

using namespace pulsemeet::testing;
namespace json = boost::json;

namespace {

using Samples = std::map<std::string, double>;  // series (name{labels}) -> value

Samples parseExposition(const std::string& text) {
    Samples samples;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.empty() || line.front() == '#') continue;
        const auto space = line.rfind(' ');
        samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return samples;
}

Samples scrape(std::uint16_t port) {
    return parseExposition(httpGet(port, "/metrics").body);
}

double valueOf(const Samples& samples, const std::string& series) {
    const auto it = samples.find(series);
    return it == samples.end() ? -1 : it->second;
}

std::string str(const json::value& value) {
    return std::string(value.as_string());
}

json::object candidateTo(const std::string& target, int index) {
    return {{"type", "ice-candidate"},
            {"targetId", target},
            {"data",
             {{"candidate", "candidate:" + std::to_string(index) + " 1 udp 1 h 9 typ host"},
              {"sdpMid", "0"}}}};
}

json::object offerTo(const std::string& target) {
    return {{"type", "offer"},
            {"targetId", target},
            {"data", {{"type", "offer"}, {"sdp", "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}}}};
}

// N joins and M relays, each one received by its target before this returns, so the server
// has counted all of it. Returns the first client's id.
struct ScriptedSession {
    static constexpr int kJoins = 3;
    static constexpr int kCandidates = 4;  // alice -> bob
    static constexpr int kOffers = 1;      // alice -> carol

    explicit ScriptedSession(std::uint16_t port, const std::string& room)
        : alice(port), bob(port), carol(port) {
        aliceId = str(alice.join(room)["peerId"]);
        bobId = str(bob.join(room)["peerId"]);
        carolId = str(carol.join(room)["peerId"]);
        for (int i = 0; i < kCandidates; ++i) alice.send(candidateTo(bobId, i));
        for (int i = 0; i < kCandidates; ++i) bob.nextOfType("ice-candidate");
        alice.send(offerTo(carolId));
        carol.nextOfType("offer");
    }

    WsClient alice, bob, carol;
    std::string aliceId, bobId, carolId;
};

std::string urlEncode(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char escaped[4];
            std::snprintf(escaped, sizeof escaped, "%%%02X", c);
            out += escaped;
        }
    }
    return out;
}

// A real Prometheus on a loopback port, scraping one target every 250 ms, with its own config
// and storage in a temp dir.
class Prometheus {
  public:
    explicit Prometheus(std::uint16_t targetPort)
        : port_(freeLoopbackPort()),
          config_(dir_.write("prometheus.yml",
                             "global:\n"
                             "  scrape_interval: 250ms\n"
                             "  scrape_timeout: 200ms\n"
                             "scrape_configs:\n"
                             "  - job_name: pulsemeet\n"
                             "    static_configs:\n"
                             "      - targets: ['127.0.0.1:" +
                                 std::to_string(targetPort) + "']\n")),
          process_({"prometheus", "--config.file=" + config_.string(),
                    "--storage.tsdb.path=" + (dir_.path() / "data").string(),
                    "--web.listen-address=127.0.0.1:" + std::to_string(port_),
                    "--log.level=warn"}) {}

    bool ready() {
        try {
            return httpGet(port_, "/-/ready").status == 200;
        } catch (const std::exception&) {
            return false;  // not listening yet
        }
    }

    // The instant vector `expr` evaluates to now: {labels as text -> value}; throws on an error.
    std::map<std::string, double> query(const std::string& expr) {
        const auto response = httpGet(port_, "/api/v1/query?query=" + urlEncode(expr));
        const auto body = json::parse(response.body).as_object();
        if (str(body.at("status")) != "success") {
            throw std::runtime_error("query " + expr + " failed: " + response.body);
        }
        std::map<std::string, double> values;
        for (const auto& item : body.at("data").at("result").as_array()) {
            const auto& sample = item.at("value").as_array();
            values[json::serialize(item.at("metric"))] = std::stod(str(sample.at(1)));
        }
        return values;
    }

    // The single value of `expr`, or nullopt when it has none (yet).
    std::optional<double> scalar(const std::string& expr) {
        const auto values = query(expr);
        if (values.size() != 1) return std::nullopt;
        return values.begin()->second;
    }

    std::string output() const { return process_.output(); }

  private:
    TempDir dir_;
    std::uint16_t port_;
    std::filesystem::path config_;
    ChildProcess process_;
};

void replaceAll(std::string& text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

// (panel title, PromQL) of every panel in deploy/grafana, with Grafana's variables filled in as
// Grafana would for this Prometheus (job "pulsemeet", all instances).
std::vector<std::pair<std::string, std::string>> dashboardQueries() {
    std::ifstream file(std::string(PULSEMEET_SOURCE_DIR) +
                       "/deploy/grafana/pulsemeet-dashboard.json");
    std::stringstream text;
    text << file.rdbuf();
    std::vector<std::pair<std::string, std::string>> queries;
    const json::value dashboard = json::parse(text.str());
    for (const auto& panel : dashboard.at("panels").as_array()) {
        for (const auto& target : panel.at("targets").as_array()) {
            std::string expr = str(target.at("expr"));
            replaceAll(expr, "$__rate_interval", "1m");
            replaceAll(expr, "$job", "pulsemeet");
            replaceAll(expr, "$instance", ".*");
            queries.emplace_back(str(panel.at("title")), expr);
        }
    }
    if (queries.size() < 10) throw std::runtime_error("dashboard has too few queries");
    return queries;
}

}  // namespace

TEST(Metrics, CountersMatchAScriptedSessionExactly) {
    // No resume grace: a closed peer is announced at once, so peer-left is counted now.
    ServerProcess server(Env{{"LOG_LEVEL", "info"}, {"RESUME_GRACE_SECONDS", "0"}});
    {
        ScriptedSession session(server.port(), "count-room");
        const auto samples = scrape(server.port());
        EXPECT_EQ(valueOf(samples, "pulsemeet_joins_total"), ScriptedSession::kJoins);
        EXPECT_EQ(valueOf(samples, "pulsemeet_messages_received_total{type=\"join\"}"),
                  ScriptedSession::kJoins);
        EXPECT_EQ(valueOf(samples, "pulsemeet_messages_received_total{type=\"ice-candidate\"}"),
                  ScriptedSession::kCandidates);
        EXPECT_EQ(valueOf(samples, "pulsemeet_messages_received_total{type=\"offer\"}"),
                  ScriptedSession::kOffers);
        EXPECT_EQ(valueOf(samples, "pulsemeet_messages_sent_total{type=\"ice-candidate\"}"),
                  ScriptedSession::kCandidates);
        EXPECT_EQ(valueOf(samples, "pulsemeet_messages_sent_total{type=\"offer\"}"),
                  ScriptedSession::kOffers);
        EXPECT_EQ(valueOf(samples, "pulsemeet_messages_sent_total{type=\"room-joined\"}"),
                  ScriptedSession::kJoins);
        // Each newcomer is announced to everyone already there: 0 + 1 + 2.
        EXPECT_EQ(valueOf(samples, "pulsemeet_messages_sent_total{type=\"peer-joined\"}"), 3);
        EXPECT_EQ(valueOf(samples, "pulsemeet_relay_latency_seconds_count"),
                  ScriptedSession::kCandidates + ScriptedSession::kOffers);
        EXPECT_EQ(valueOf(samples, "pulsemeet_relay_latency_seconds_bucket{le=\"+Inf\"}"),
                  ScriptedSession::kCandidates + ScriptedSession::kOffers);
        EXPECT_EQ(valueOf(samples, "pulsemeet_rooms"), 1);
        EXPECT_EQ(valueOf(samples, "pulsemeet_peers"), ScriptedSession::kJoins);
        EXPECT_EQ(valueOf(samples, "pulsemeet_websocket_connections"), 3);
        EXPECT_EQ(valueOf(samples, "pulsemeet_websocket_connections_total"), 3);
        EXPECT_EQ(valueOf(samples,
                          "pulsemeet_http_requests_total{method=\"GET\",route=\"/ws\","
                          "status=\"101\"}"),
                  3);
        EXPECT_EQ(valueOf(samples, "pulsemeet_signaling_errors_total{code=\"peer-not-found\"}"), 0);

        session.carol.closeNormally();
        const auto closedByClient = "pulsemeet_websocket_closes_total{reason=\"client\"}";
        EXPECT_TRUE(eventually([&] { return valueOf(scrape(server.port()), closedByClient) == 1; },
                               std::chrono::seconds(5)));
        const auto after = scrape(server.port());
        EXPECT_EQ(valueOf(after, "pulsemeet_peers"), 2);
        EXPECT_EQ(valueOf(after, "pulsemeet_websocket_connections"), 2);
        EXPECT_EQ(valueOf(after, "pulsemeet_messages_sent_total{type=\"peer-left\"}"), 2);
        for (const auto* reason : {"ping_timeout", "rate_limited", "too_large", "slow_consumer",
                                   "drain", "invalid_utf8", "error"}) {
            EXPECT_EQ(valueOf(after, std::string("pulsemeet_websocket_closes_total{reason=\"") +
                                         reason + "\"}"),
                      0)
                << reason;
        }
    }

    // Plain HTTP: requests by method, route and status, and the latency histogram.
    for (int i = 0; i < 2; ++i) EXPECT_EQ(httpGet(server.port(), "/healthz").status, 200);
    EXPECT_EQ(httpGet(server.port(), "/assets/missing.js").status, 404);
    const auto samples = scrape(server.port());
    EXPECT_EQ(valueOf(samples,
                      "pulsemeet_http_requests_total{method=\"GET\",route=\"/healthz\","
                      "status=\"200\"}"),
              2);
    EXPECT_EQ(valueOf(samples,
                      "pulsemeet_http_requests_total{method=\"GET\",route=\"asset\","
                      "status=\"404\"}"),
              1);
    EXPECT_EQ(valueOf(samples, "pulsemeet_http_request_duration_seconds_count{route=\"/healthz\"}"),
              2);

    // The process_* metrics, read from /proc at the scrape.
    const double now = static_cast<double>(std::time(nullptr));
    EXPECT_GT(valueOf(samples, "process_resident_memory_bytes"), 1e6);
    EXPECT_GE(valueOf(samples, "process_open_fds"), 3);
    EXPECT_GE(valueOf(samples, "process_cpu_seconds_total"), 0);
    EXPECT_GT(valueOf(samples, "process_start_time_seconds"), now - 120);
    EXPECT_LE(valueOf(samples, "process_start_time_seconds"), now + 1);

    // One access-log line per request, at info.
    EXPECT_TRUE(server.waitForLine(
        R"("msg":"http request","method":"GET","path":"/healthz","status":200)"));
    EXPECT_TRUE(server.waitForLine(R"("path":"/assets/missing.js","status":404)"));
}

TEST(Metrics, ExpositionPassesPromtoolCheck) {
    ServerProcess server;
    { ScriptedSession session(server.port(), "promtool-room"); }
    httpGet(server.port(), "/healthz");
    const auto text = httpGet(server.port(), "/metrics").body;
    const auto result = runProgram({"promtool", "check", "metrics"}, text);
    EXPECT_EQ(result.exitCode, 0) << result.output;
    EXPECT_EQ(result.output, "") << "promtool lint findings";
}

TEST(Metrics, PrometheusScrapesTheServerAndSeesCountersMove) {
    ServerProcess server;
    Prometheus prometheus(server.port());
    ASSERT_TRUE(eventually([&] { return prometheus.ready(); }, std::chrono::seconds(30)))
        << prometheus.output();
    // A first scrape before any traffic, so the counters are seen to move from zero.
    ASSERT_TRUE(eventually(
        [&] {
            return prometheus.scalar("pulsemeet_messages_received_total{type=\"ice-candidate\"}") ==
                   0.0;
        },
        std::chrono::seconds(20)))
        << prometheus.output();
    EXPECT_EQ(prometheus.scalar("up{job=\"pulsemeet\"}"), 1.0);

    { ScriptedSession session(server.port(), "scraped-room"); }
    EXPECT_TRUE(eventually(
        [&] {
            return prometheus.scalar("pulsemeet_messages_received_total{type=\"ice-candidate\"}") ==
                   ScriptedSession::kCandidates;
        },
        std::chrono::seconds(10)));
    EXPECT_EQ(prometheus.scalar("min_over_time(pulsemeet_messages_received_total{type=\"ice-"
                                "candidate\"}[5m])"),
              0.0);
    EXPECT_EQ(prometheus.scalar("pulsemeet_joins_total"), ScriptedSession::kJoins);
    EXPECT_EQ(prometheus.scalar("pulsemeet_relay_latency_seconds_count"),
              ScriptedSession::kCandidates + ScriptedSession::kOffers);
    EXPECT_TRUE(
        eventually([&] { return prometheus.scalar("pulsemeet_websocket_connections") == 0.0; },
                   std::chrono::seconds(10)));
    EXPECT_GT(prometheus.scalar("process_resident_memory_bytes").value_or(0), 1e6);
    EXPECT_GT(prometheus.scalar("process_start_time_seconds").value_or(0), 1e9);

    // Every query of the Grafana dashboard runs and finds series: the dashboard is drawn over
    // metrics that exist, with the names and labels they really have.
    // (A series born during the session needs two scrapes before rate() over it has a value.)
    for (const auto& [title, expr] : dashboardQueries()) {
        EXPECT_TRUE(eventually([&] { return !prometheus.query(expr).empty(); }, 10s))
            << title << ": " << expr;
    }
}
