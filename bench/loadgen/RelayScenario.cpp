#include "RelayScenario.hpp"

#include <boost/json/parse.hpp>

#include <charconv>

namespace pulsemeet::bench {

namespace {

constexpr std::string_view kMarker = " pm:";

std::int64_t nanosNow() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               BenchClient::Clock::now().time_since_epoch())
        .count();
}

// Reads the unsigned decimal at `text[pos]`, moving `pos` past it and one separator.
bool readNumber(std::string_view text, std::size_t& pos, std::uint64_t& value) {
    const auto* first = text.data() + pos;
    const auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
    if (ec != std::errc{}) return false;
    pos += static_cast<std::size_t>(end - first) + 1;
    return true;
}

}  // namespace

RelayScenario::RelayScenario(Options options) : Scenario(std::move(options)) {
    // Every sender needs a room-mate: round the count down to whole rooms.
    const int rooms = std::max(1, options_.connections / options_.roomSize);
    options_.connections = rooms * options_.roomSize;
    sequence_.assign(static_cast<std::size_t>(options_.connections), 0);
    known_.resize(static_cast<std::size_t>(options_.connections));
    watchedCpu_.assign(options_.watched.size(), 0.0);
}

void RelayScenario::start() {
    openBounded(static_cast<std::size_t>(options_.connections));
}

void RelayScenario::onOpen(BenchClient& client, boost::beast::error_code) {
    connectFinished();
    const std::size_t room = client.index() / static_cast<std::size_t>(options_.roomSize);
    client.send(joinMessage("relay-" + std::to_string(room), client.index()));
}

void RelayScenario::onClosed(BenchClient& client, boost::beast::error_code) {
    if (client.peerId.empty()) {
        ++connectErrors_;
        connectFinished();
    } else {
        ++closedByServer_;
    }
    beginWhenEveryoneKnown();
}

void RelayScenario::onMessage(BenchClient& client, std::string_view text) {
    const auto marker = text.find(kMarker);
    if (marker == std::string_view::npos) {
        onControl(client, text);
        return;
    }
    std::size_t pos = marker + kMarker.size();
    std::uint64_t sender = 0;
    std::uint64_t seq = 0;
    std::uint64_t sentAt = 0;
    if (!readNumber(text, pos, sender) || !readNumber(text, pos, seq) ||
        !readNumber(text, pos, sentAt) || sender >= clients_.size() ||
        targetOf(sender) != client.index()) {
        ++misrouted_;
        return;
    }
    ++received_;
    const auto now = Clock::now();
    if (measureStarted_ && !measureEnded_ && now < measureEnd_) {
        ++measured_;
        latency_.add((nanosNow() - static_cast<std::int64_t>(sentAt)) / 1000);
    }
    if (options_.rate <= 0 && sending(now)) sendFrom(sender);  // closed loop: one out, one in
    if (finishing_ && received_ + misrouted_ >= sent_) stop();
}

// Everything that is not a relayed frame: few, so a full parse costs nothing that matters.
void RelayScenario::onControl(BenchClient& client, std::string_view text) {
    boost::system::error_code ec;
    const auto value = boost::json::parse(text, ec);
    if (ec || !value.is_object()) return;
    const auto& message = value.get_object();
    const auto* type = message.if_contains("type");
    const auto* peer = message.if_contains("peerId");
    if (type == nullptr || !type->is_string() || peer == nullptr || !peer->is_string()) {
        if (type != nullptr && type->is_string() && type->get_string() == "error") ++errors_;
        return;
    }
    auto& known = known_[client.index()];
    if (type->get_string() == "room-joined" && client.peerId.empty()) {
        client.peerId = std::string(peer->get_string());
        ++joined_;
        const auto* peers = value.find_pointer("/data/peers", ec);
        if (peers != nullptr && peers->is_array()) {
            for (const auto& other : peers->get_array()) {
                const auto* id =
                    other.is_object() ? other.get_object().if_contains("peerId") : nullptr;
                if (id != nullptr && id->is_string()) known.insert(std::string(id->get_string()));
            }
        }
    } else if (type->get_string() == "peer-joined") {
        known.insert(std::string(peer->get_string()));
    }
    beginWhenEveryoneKnown();
}

void RelayScenario::beginWhenEveryoneKnown() {
    if (started_ || joined_ + connectErrors_ != clients_.size()) return;
    if (unannouncedClients() == 0) {
        beginSending();
        return;
    }
    if (announceWaitArmed_) return;
    announceWaitArmed_ = true;
    // A room-mate never announced is a server bug, not a reason to hang: count it and go on.
    after(std::chrono::seconds(10), [this] {
        if (started_) return;
        unannounced_ = unannouncedClients();
        beginSending();
    });
}

std::size_t RelayScenario::unannouncedClients() const {
    const auto size = static_cast<std::size_t>(options_.roomSize);
    std::size_t missing = 0;
    for (std::size_t i = 0; i < clients_.size(); ++i) {
        if (!clients_[i] || clients_[i]->peerId.empty()) continue;
        const std::size_t base = i - i % size;
        for (std::size_t mate = base; mate < base + size; ++mate) {
            if (mate == i || !clients_[mate] || clients_[mate]->peerId.empty()) continue;
            if (!known_[i].contains(clients_[mate]->peerId)) {
                ++missing;
                break;
            }
        }
    }
    return missing;
}

void RelayScenario::beginSending() {
    started_ = true;
    // Fill the frame to the requested size; the fixed part is about 150 bytes.
    const int fixed = 190;
    padding_.assign(static_cast<std::size_t>(std::max(0, options_.payloadBytes - fixed)), 'x');
    begin_ = Clock::now();
    const auto warmup = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options_.warmupSeconds));
    const auto measured = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(options_.seconds));
    measureStart_ = begin_ + warmup;
    measureEnd_ = measureStart_ + measured;
    if (options_.rate <= 0) {
        for (std::size_t sender = 0; sender < clients_.size(); ++sender) {
            for (int i = 0; i < options_.window; ++i) sendFrom(sender);
        }
    }
    every(std::chrono::milliseconds(1), [this] { return pace(); });
}

bool RelayScenario::pace() {
    const auto now = Clock::now();
    if (!measureStarted_ && now >= measureStart_) {
        measureStarted_ = true;
        serverAtMeasureStart_ = sampleProcess(options_.pid);
        for (std::size_t i = 0; i < watchedCpu_.size(); ++i) {
            watchedCpu_[i] = sampleProcess(options_.watched[i].pid).cpuSeconds;
        }
    }
    if (!measureEnded_ && now >= measureEnd_) {
        measureEnded_ = true;
        serverAtMeasureEnd_ = sampleProcess(options_.pid);
        for (std::size_t i = 0; i < watchedCpu_.size(); ++i) {
            watchedCpu_[i] = sampleProcess(options_.watched[i].pid).cpuSeconds - watchedCpu_[i];
        }
        finishSoon();
        return false;
    }
    if (options_.rate > 0) {
        const double elapsed = std::chrono::duration<double>(now - begin_).count();
        const auto due = static_cast<std::size_t>(elapsed * options_.rate);
        while (sent_ < due) {
            sendFrom(cursor_);
            cursor_ = (cursor_ + 1) % clients_.size();
        }
    }
    return true;
}

// Waits for what is still on its way: until everything arrived, or nothing more arrived for
// 3 s (the rest is lost), or 60 s in all. Beyond saturation the backlog (in these clients'
// queues, the sockets and the servers) drains at the servers' pace, so a fixed wait would count
// slow messages as lost.
void RelayScenario::finishSoon() {
    finishing_ = true;
    if (received_ + misrouted_ >= sent_) {
        stop();
        return;
    }
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    every(std::chrono::milliseconds(500), [this, deadline, arrived = received_ + misrouted_,
                                           lastProgress = Clock::now()]() mutable {
        const auto now = Clock::now();
        if (received_ + misrouted_ != arrived) {
            arrived = received_ + misrouted_;
            lastProgress = now;
        }
        if (now - lastProgress >= std::chrono::seconds(3) || now >= deadline) {
            for (const auto& client : clients_) {
                if (client) unsent_ += client->queued();
            }
            stop();
            return false;
        }
        return true;
    });
}

std::size_t RelayScenario::targetOf(std::size_t sender) const {
    const auto size = static_cast<std::size_t>(options_.roomSize);
    const std::size_t base = sender - sender % size;
    return base + (sender % size + 1) % size;
}

void RelayScenario::sendFrom(std::size_t sender) {
    BenchClient& from = *clients_[sender];
    const BenchClient* to = clients_[targetOf(sender)].get();
    if (!from.open() || to == nullptr || to->peerId.empty()) return;
    std::string frame;
    frame.reserve(static_cast<std::size_t>(options_.payloadBytes) + 64);
    frame += R"({"type":"ice-candidate","targetId":")";
    frame += to->peerId;
    frame += R"(","data":{"candidate":"candidate:842163049 1 udp 1677729535 203.0.113.7 54400)"
             R"( typ srflx raddr 192.168.1.7 rport 54400 generation 0 ufrag EsZk)";
    frame += kMarker;
    frame += std::to_string(sender);
    frame += ':';
    frame += std::to_string(sequence_[sender]++);
    frame += ':';
    frame += std::to_string(nanosNow());
    frame += ' ';
    frame += padding_;
    frame += R"(","sdpMid":"0","sdpMLineIndex":0}})";
    ++sent_;
    from.send(std::move(frame));
    maxQueue_ = std::max(maxQueue_, from.queued());
}

void RelayScenario::report(boost::json::object& out) {
    const double seconds = std::chrono::duration<double>(measureEnd_ - measureStart_).count();
    const double cpu = serverAtMeasureEnd_.cpuSeconds - serverAtMeasureStart_.cpuSeconds;
    out["offered_rate"] = options_.rate;
    out["window"] = options_.rate > 0 ? 0 : options_.window;
    out["seconds"] = seconds;
    out["sent"] = sent_;
    out["received"] = received_;
    out["delivered_rate"] = seconds > 0 ? static_cast<double>(measured_) / seconds : 0.0;
    const std::size_t accounted = received_ + misrouted_ + unsent_;
    out["lost"] = sent_ >= accounted ? sent_ - accounted : 0;
    out["unsent"] = unsent_;  // still in this generator's queues when it gave up waiting
    out["misrouted"] = misrouted_;
    out["errors"] = errors_;
    out["unannounced"] = unannounced_;  // clients that never heard of a room-mate
    latency_.report(out, "latency_");
    const auto per100k = [this](double seconds) {
        return measured_ > 0 ? seconds * 100000.0 / static_cast<double>(measured_) : 0.0;
    };
    out["server_cpu_s"] = cpu;
    out["cpu_s_per_100k"] = per100k(cpu);
    for (std::size_t i = 0; i < watchedCpu_.size(); ++i) {
        out["cpu_s_per_100k_" + options_.watched[i].label] = per100k(watchedCpu_[i]);
    }
    out["loadgen_max_queue"] = maxQueue_;
}

}  // namespace pulsemeet::bench
