// LogBus: one instance through the hub's clustered path. It must behave like one instance
// (capacity, relays, departures) while the hub hands it every event.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include "cluster/LogBus.hpp"
#include "obs/Logger.hpp"
#include "obs/Metrics.hpp"
#include "signaling/Hub.hpp"

using namespace pulsemeet;
using namespace pulsemeet::signaling;
using namespace pulsemeet::wire;

namespace {

constexpr auto kDeadline = std::chrono::seconds(5);

// Join answers arrive on the bus's thread: waited for with a deadline, never slept for.
template <typename T>
class Mailbox {
  public:
    void put(T value) {
        std::lock_guard lock(mutex_);
        items_.push_back(std::move(value));
        arrived_.notify_all();
    }
    std::optional<T> take() {
        std::unique_lock lock(mutex_);
        if (!arrived_.wait_for(lock, kDeadline, [this] { return !items_.empty(); })) return {};
        T value = std::move(items_.front());
        items_.pop_front();
        return value;
    }
    bool empty() const {
        std::lock_guard lock(mutex_);
        return items_.empty();
    }

  private:
    mutable std::mutex mutex_;
    std::condition_variable arrived_;
    std::deque<T> items_;
};

class MailboxLink : public PeerLink {
  public:
    void deliver(SharedMessage message) override { inbox.put(*message); }
    void close(CloseCode, std::string_view) override {}
    // The next message's JSON object (empty at the deadline).
    boost::json::object next() {
        const auto text = inbox.take();
        EXPECT_TRUE(text) << "no message within the deadline";
        return text ? boost::json::parse(*text).as_object() : boost::json::object{};
    }
    Mailbox<std::string> inbox;
};

class LogBusTest : public ::testing::Test {
  protected:
    LogBusTest() : logger(config::LogLevel::off, config::LogFormat::json), bus(logger) {}

    // Asks the bus to admit `peer` and waits for its answer.
    cluster::JoinOutcome joinAndWait(const std::string& room, const std::string& peer,
                                     int capacity) {
        bus.join(room, peer, "name", "{}", capacity,
                 [this](cluster::JoinOutcome outcome) { answers.put(std::move(outcome)); });
        auto outcome = answers.take();
        EXPECT_TRUE(outcome) << "join not answered within the deadline";
        return outcome.value_or(cluster::JoinOutcome{false, {}});
    }

    obs::Logger logger;
    Mailbox<cluster::JoinOutcome> answers;  // outlives the bus, whose thread puts into it
    cluster::LogBus bus;
};

}  // namespace

TEST_F(LogBusTest, TakesTheClusteredPathAndAnswersJoinsOnItsOwnThread) {
    EXPECT_TRUE(bus.clustered()) << "a bus that is not clustered is never called by the hub";
    // The hub calls join() under its lock and takes it again in the answer: an answer given
    // inside join() would deadlock. The answer waits until the test has looked, so a quick bus
    // thread cannot make it look synchronous; a synchronous one waits out the deadline first.
    Mailbox<bool> looked;
    Mailbox<std::thread::id> answeredOn;
    bus.join("room", "a", "A", "{}", 2, [&](cluster::JoinOutcome) {
        looked.take();
        answeredOn.put(std::this_thread::get_id());
    });
    EXPECT_TRUE(answeredOn.empty()) << "answered inside join()";
    looked.put(true);
    const auto thread = answeredOn.take();
    bus.stop();  // its thread is done with the mailboxes before they go
    ASSERT_TRUE(thread);
    EXPECT_NE(*thread, std::this_thread::get_id());
}

TEST_F(LogBusTest, CountsCapacityAndFreesPlacesOnLeave) {
    EXPECT_TRUE(joinAndWait("room", "a", 2).admitted);
    EXPECT_TRUE(joinAndWait("room", "b", 2).admitted);
    EXPECT_FALSE(joinAndWait("room", "c", 2).admitted);
    EXPECT_TRUE(joinAndWait("room", "a", 2).admitted) << "a member keeps its place";
    EXPECT_TRUE(joinAndWait("other", "c", 2).admitted) << "rooms are counted apart";
    EXPECT_EQ(bus.members("room"), 2u);
    bus.leave("room", "a", share(R"({"type":"peer-left"})"));
    EXPECT_EQ(bus.members("room"), 1u);
    EXPECT_TRUE(joinAndWait("room", "c", 2).admitted);
    bus.leave("room", "b", share("{}"));
    bus.leave("room", "c", share("{}"));
    EXPECT_EQ(bus.members("room"), 0u);
}

TEST_F(LogBusTest, NoOtherInstanceHoldsAPeer) {
    EXPECT_EQ(bus.relay("room", "a", "b", MessageType::offer, share("{}")),
              cluster::RelayOutcome::unknownTarget);
}

// The whole single-instance behaviour through a real hub with the LogBus.
TEST_F(LogBusTest, AHubWithItBehavesAsOneInstance) {
    obs::Registry registry;
    SignalingMetrics metrics(registry);
    HubOptions options;
    options.maxPeersPerRoom = 2;
    options.bus = &bus;
    Hub hub(std::move(options), metrics, logger);
    bus.start(hub);
    auto connect = [&hub](const std::string& id) {
        auto link = std::make_shared<MailboxLink>();
        hub.attach(id, link, {});
        return link;
    };
    auto send = [&hub](const std::string& id, const std::string& text) {
        auto decoded = decodeClientMessage(text);
        ASSERT_TRUE(std::holds_alternative<ClientMessage>(decoded)) << text;
        hub.handle(id, std::get<ClientMessage>(decoded), Hub::Clock::now());
    };
    const std::string join = R"({"type":"join","roomId":"room"})";
    auto a = connect("a");
    auto b = connect("b");
    auto c = connect("c");
    send("a", join);
    EXPECT_EQ(a->next()["type"].as_string(), "room-joined");
    send("b", join);
    const auto joined = b->next();
    EXPECT_EQ(joined.at("type").as_string(), "room-joined");
    EXPECT_EQ(joined.at("data").at("peers").as_array().size(), 1u);
    EXPECT_EQ(a->next()["type"].as_string(), "peer-joined");

    send("c", join);
    EXPECT_EQ(c->next()["code"].as_string(), "room-full");

    send(
        "a",
        R"({"type":"ice-candidate","targetId":"b","data":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}})");
    EXPECT_EQ(b->next()["type"].as_string(), "ice-candidate");
    send(
        "a",
        R"({"type":"ice-candidate","targetId":"z","data":{"candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host"}})");
    EXPECT_EQ(a->next()["code"].as_string(), "peer-not-found");

    hub.detach("b", Departure::left);
    EXPECT_EQ(a->next()["type"].as_string(), "peer-left");
    EXPECT_EQ(bus.members("room"), 1u);
    send("c", join);
    EXPECT_EQ(c->next()["type"].as_string(), "room-joined");
    bus.stop();
}
