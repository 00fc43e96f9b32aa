#pragma once
// What the hub's unit tests share: a link that records what the hub sends instead of writing to
// a socket, and a fixture that feeds the hub decoded client messages.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "obs/Logger.hpp"
#include "obs/Metrics.hpp"
#include "signaling/Hub.hpp"

namespace pulsemeet::signaling::testing {

class RecordingLink : public PeerLink {
  public:
    void deliver(wire::SharedMessage message) override { inbox.push_back(std::move(message)); }
    void close(wire::CloseCode code, std::string_view) override { closedWith = code; }

    // Removes and returns the oldest message.
    boost::json::object take() {
        EXPECT_FALSE(inbox.empty());
        if (inbox.empty()) return {};
        auto message = boost::json::parse(*inbox.front()).as_object();
        inbox.erase(inbox.begin());
        return message;
    }
    std::string takeType() { return std::string(take()["type"].as_string()); }
    std::vector<std::string> types() const {
        std::vector<std::string> out;
        for (const auto& m : inbox) {
            out.emplace_back(boost::json::parse(*m).as_object().at("type").as_string());
        }
        return out;
    }
    boost::json::object last() const { return boost::json::parse(*inbox.back()).as_object(); }
    // What a client that counts (data.received) has counted: the messages since the last
    // room-joined, except replies (pong, error, sfu-answer; docs/protocol.md, "Acknowledged
    // delivery").
    std::uint64_t counted() const {
        std::uint64_t count = 0;
        for (const auto& message : inbox) {
            const auto type = boost::json::parse(*message).as_object().at("type").as_string();
            if (type == "room-joined") {
                count = 0;
            } else if (type != "pong" && type != "error" && type != "sfu-answer") {
                ++count;
            }
        }
        return count;
    }

    std::vector<wire::SharedMessage> inbox;
    std::optional<wire::CloseCode> closedWith;
};

class HubHarness : public ::testing::Test {
  protected:
    HubHarness() : metrics(registry), logger(config::LogLevel::off, config::LogFormat::json) {}
    void makeHub(HubOptions options) {
        hub = std::make_unique<Hub>(std::move(options), metrics, logger);
    }
    std::shared_ptr<RecordingLink> connect(const std::string& id, Admission admission = {}) {
        auto link = std::make_shared<RecordingLink>();
        hub->attach(id, link, std::move(admission));
        return link;
    }
    void send(const std::string& id, const std::string& text) {
        auto decoded = decodeClientMessage(text);
        ASSERT_TRUE(std::holds_alternative<ClientMessage>(decoded)) << text;
        hub->handle(id, std::get<ClientMessage>(decoded), Hub::Clock::now());
    }

    obs::Registry registry;
    SignalingMetrics metrics;
    obs::Logger logger;
    std::unique_ptr<Hub> hub;
};

}  // namespace pulsemeet::signaling::testing
