#include "Scenario.hpp"

#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "ChurnScenario.hpp"
#include "IdleScenario.hpp"
#include "JoinScenario.hpp"
#include "RelayScenario.hpp"

namespace pulsemeet::bench {

namespace asio = boost::asio;
namespace json = boost::json;

Scenario::Scenario(Options options) : options_(std::move(options)) {
    const auto host = asio::ip::make_address(options_.host);
    servers_.emplace_back(host, options_.port);
    if (options_.port2 != 0) servers_.emplace_back(host, options_.port2);
    if (options_.sources > 1) {
        for (int i = 1; i <= options_.sources; ++i) {
            sources_.push_back(asio::ip::make_address("127.0.0." + std::to_string(i)));
        }
    }
}

Scenario::~Scenario() {
    for (auto& client : clients_) {
        if (client) client->close();
    }
    clients_.clear();  // before ioc_, whose services the sockets need
    retired_.clear();
}

json::object Scenario::run() {
    serverAtStart_ = sampleProcess(options_.pid);
    asio::post(ioc_, [this] { start(); });
    ioc_.run();
    json::object out;
    out["mode"] = options_.mode;
    out["server"] = options_.server;
    out["connections"] = options_.connections;
    out["room_size"] = options_.roomSize;
    report(out);
    out["connect_errors"] = connectErrors_;
    out["closed_by_server"] = closedByServer_;
    return out;
}

BenchClient& Scenario::openClient(std::size_t index) {
    if (clients_.size() <= index) clients_.resize(index + 1);
    clients_[index] = std::make_unique<BenchClient>(ioc_, *this, index);
    std::optional<asio::ip::address> source;
    if (!sources_.empty()) source = sources_[index % sources_.size()];
    clients_[index]->connect(servers_[index % servers_.size()], source);
    return *clients_[index];
}

void Scenario::openBounded(std::size_t count) {
    boundedTotal_ = count;
    clients_.resize(count);
    connectFinished();
}

void Scenario::connectFinished() {
    if (inFlight_ > 0) --inFlight_;
    while (boundedNext_ < boundedTotal_ &&
           inFlight_ < static_cast<std::size_t>(options_.connectConcurrency)) {
        ++inFlight_;
        openClient(boundedNext_++);
    }
}

void Scenario::every(Clock::duration period, std::function<bool()> tick) {
    auto& ticker = tickers_.emplace_back(std::make_unique<Ticker>(ioc_, period, std::move(tick)));
    ticker->timer.expires_at(Clock::now());
    ticker->arm();
}

void Scenario::after(Clock::duration delay, std::function<void()> then) {
    auto& ticker =
        tickers_.emplace_back(std::make_unique<Ticker>(ioc_, delay, [then = std::move(then)] {
            then();
            return false;
        }));
    ticker->timer.expires_at(Clock::now());
    ticker->arm();
}

void Scenario::Ticker::arm() {
    // Deadlines advance by the period, not from "now", so a late tick does not shift the rest.
    timer.expires_at(timer.expiry() + period);
    timer.async_wait([this](boost::system::error_code ec) {
        if (!ec && tick()) arm();
    });
}

void Scenario::stop() {
    for (auto& client : clients_) {
        if (client) client->close();
    }
    for (auto& ticker : tickers_) ticker->timer.cancel();
    ioc_.stop();
}

void Scenario::retire(std::size_t index) {
    if (clients_[index]) retired_.push_back(std::move(clients_[index]));
}

std::string Scenario::joinMessage(const std::string& roomId, std::size_t index) {
    return R"({"type":"join","roomId":")" + roomId + R"(","data":{"name":"bench )" +
           std::to_string(index) + "\"}}";
}

std::string Scenario::roomJoinedPeerId(std::string_view text) {
    if (text.find("\"room-joined\"") == std::string_view::npos) return {};
    boost::system::error_code ec;
    const auto value = json::parse(text, ec);
    if (ec || !value.is_object()) return {};
    const auto* id = value.get_object().if_contains("peerId");
    return id != nullptr && id->is_string() ? std::string(id->get_string()) : std::string();
}

std::unique_ptr<Scenario> makeScenario(const Options& options) {
    if (options.mode == "relay") return std::make_unique<RelayScenario>(options);
    if (options.mode == "join") return std::make_unique<JoinScenario>(options);
    if (options.mode == "idle") return std::make_unique<IdleScenario>(options);
    return std::make_unique<ChurnScenario>(options);
}

}  // namespace pulsemeet::bench
