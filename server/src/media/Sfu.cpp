#include "media/Sfu.hpp"

#include <algorithm>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "media/MediaWorker.hpp"
#include "media/Router.hpp"

namespace pulsemeet::media {

std::string_view toString(TrackSource source) {
    switch (source) {
        case TrackSource::microphone:
            return "microphone";
        case TrackSource::camera:
            return "camera";
        case TrackSource::screen:
            return "screen";
    }
    return "camera";
}

namespace {

// One media thread and the rooms it hosts. `stats` and `routers` are touched only on that
// thread (inside posted tasks and its timer), so they need no lock.
struct WorkerSlot {
    SfuStats stats;
    std::unordered_map<std::string, std::unique_ptr<Router>> routers;
    std::unique_ptr<MediaWorker> worker;  // last: its thread stops before the rooms go

    void sweepEmptyRooms() {
        std::erase_if(routers, [](const auto& entry) { return entry.second->empty(); });
    }
};

}  // namespace

struct Sfu::Impl {
    Impl(Options sfuOptions, SfuListener& sfuListener)
        : options(std::move(sfuOptions)), listener(sfuListener) {
        if (options.announcedAddress.empty()) {
            if (options.bindAddress == "0.0.0.0" || options.bindAddress == "::")
                throw std::invalid_argument(
                    "media: an announced address is needed when binding every interface");
            options.announcedAddress = options.bindAddress;
        }
        if (options.testDropPercent > 100)
            throw std::invalid_argument("media: testDropPercent must be 0..100");
        const unsigned count = std::max(1U, options.workers);
        for (unsigned i = 0; i < count; ++i) {
            auto slot = std::make_unique<WorkerSlot>();
            MediaWorker::Options workerOptions;
            workerOptions.bindAddress = options.bindAddress;
            workerOptions.port =
                options.port == 0 ? 0 : static_cast<std::uint16_t>(options.port + i);
            if (options.tcpPort)
                workerOptions.tcpPort =
                    *options.tcpPort == 0 ? 0 : static_cast<std::uint16_t>(*options.tcpPort + i);
            workerOptions.transport.logger = options.logger;
            workerOptions.onTick = [raw = slot.get()](MediaWorker::Clock::time_point now) {
                for (auto& [roomId, router] : raw->routers) router->tick(now);
                raw->sweepEmptyRooms();
            };
            slot->worker = std::make_unique<MediaWorker>(std::move(workerOptions));
            slots.push_back(std::move(slot));
        }
        peersOnSlot.assign(slots.size(), 0);
    }

    // The worker a room lives on while it has peers. A new room goes to the worker carrying the
    // fewest peers (each peer is one transport there), the first such on a tie, so rooms spread
    // over the cores as they come instead of colliding by hash. Only offer and removePeer take
    // this lock, never the packet path.
    WorkerSlot& placePeer(const std::string& roomId, const std::string& peerId) {
        std::lock_guard lock(placementMutex);
        auto found = placements.find(roomId);
        if (found == placements.end()) {
            const auto least = std::min_element(peersOnSlot.begin(), peersOnSlot.end());
            found = placements
                        .emplace(roomId,
                                 RoomPlacement{
                                     static_cast<std::size_t>(least - peersOnSlot.begin()), {}})
                        .first;
        }
        auto& placement = found->second;
        if (placement.peers.insert(peerId).second) ++peersOnSlot[placement.slot];
        return *slots[placement.slot];
    }

    // The worker the room lives on (null: no such room); the peer no longer counts there, and a
    // room without peers may be placed anew.
    WorkerSlot* unplacePeer(const std::string& roomId, const std::string& peerId) {
        std::lock_guard lock(placementMutex);
        const auto found = placements.find(roomId);
        if (found == placements.end()) return nullptr;
        auto& placement = found->second;
        auto* slot = slots[placement.slot].get();
        if (placement.peers.erase(peerId) > 0) --peersOnSlot[placement.slot];
        if (placement.peers.empty()) placements.erase(found);
        return slot;
    }

    // The worker the room lives on, without placing anything (null: no peer there yet).
    WorkerSlot* placedSlot(const std::string& roomId) {
        std::lock_guard lock(placementMutex);
        const auto found = placements.find(roomId);
        return found == placements.end() ? nullptr : slots[found->second.slot].get();
    }

    Router& routerFor(WorkerSlot& slot, const std::string& roomId) {
        auto& router = slot.routers[roomId];
        if (!router) {
            Router::Options routerOptions;
            routerOptions.announcedAddress = options.announcedAddress;
            routerOptions.testDropPercent = options.testDropPercent;
            routerOptions.testBandwidthCap = options.testBandwidthCap;
            routerOptions.videoLastN = options.videoLastN;
            routerOptions.logger = options.logger;
            router = std::make_unique<Router>(roomId, *slot.worker, listener, slot.stats,
                                              std::move(routerOptions));
        }
        return *router;
    }

    struct RoomPlacement {
        std::size_t slot = 0;
        std::unordered_set<std::string> peers;
    };

    Options options;
    SfuListener& listener;
    std::vector<std::unique_ptr<WorkerSlot>> slots;
    std::mutex placementMutex;
    std::unordered_map<std::string, RoomPlacement> placements;
    std::vector<std::size_t> peersOnSlot;  // by slot index
};

Sfu::Sfu(Options options, SfuListener& listener)
    : impl_(std::make_unique<Impl>(std::move(options), listener)) {}

Sfu::~Sfu() = default;

std::uint16_t Sfu::port() const {
    return impl_->slots.front()->worker->port();
}

std::optional<std::uint16_t> Sfu::tcpPort() const {
    return impl_->slots.front()->worker->tcpPort();
}

void Sfu::offer(const std::string& roomId, const std::string& peerId, std::string sdp,
                std::function<void(std::variant<SfuAnswer, SdpError>)> done) {
    auto& slot = impl_->placePeer(roomId, peerId);
    slot.worker->post([impl = impl_.get(), slot = &slot, roomId, peerId, sdp = std::move(sdp),
                       done = std::move(done)] {
        auto& router = impl->routerFor(*slot, roomId);
        auto result = router.offer(peerId, sdp);
        if (done) done(std::move(result));
        router.announceTracks();
        slot->sweepEmptyRooms();
    });
}

void Sfu::removePeer(const std::string& roomId, const std::string& peerId) {
    auto* slot = impl_->unplacePeer(roomId, peerId);
    if (!slot) return;
    slot->worker->post([slot, roomId, peerId] {
        const auto found = slot->routers.find(roomId);
        if (found == slot->routers.end()) return;
        found->second->removePeer(peerId);
        slot->sweepEmptyRooms();
    });
}

void Sfu::setViews(const std::string& roomId, const std::string& viewerId,
                   std::vector<SfuView> views) {
    auto* slot = impl_->placedSlot(roomId);
    if (!slot) return;
    slot->worker->post([slot, roomId, viewerId, views = std::move(views)]() mutable {
        const auto found = slot->routers.find(roomId);
        if (found != slot->routers.end()) found->second->setViews(viewerId, std::move(views));
    });
}

void Sfu::stats(std::function<void(SfuStats)> done) {
    struct Gathering {
        std::mutex mutex;
        SfuStats total;
        std::size_t remaining = 0;
        std::function<void(SfuStats)> done;
    };
    auto gathering = std::make_shared<Gathering>();
    gathering->remaining = impl_->slots.size();
    gathering->done = std::move(done);
    for (auto& slot : impl_->slots) {
        slot->worker->stats([slot = slot.get(), gathering](MediaWorker::Stats worker) {
            SfuStats stats = slot->stats;
            for (const auto& [roomId, router] : slot->routers) router->addLiveStats(stats);
            stats.transports = worker.transports;
            stats.droppedUnknownSender = worker.droppedUnknownSender;
            stats.sendFailed = worker.sendFailed;
            stats.sentSegmented = worker.sentSegmented;
            stats.stunRejected = worker.stunRejected;
            stats.transportsClosed = worker.closes;
            stats.tcp = worker.tcp;
            std::unique_lock lock(gathering->mutex);
            gathering->total += stats;
            if (--gathering->remaining > 0) return;
            const SfuStats total = gathering->total;
            lock.unlock();
            if (gathering->done) gathering->done(total);
        });
    }
}

}  // namespace pulsemeet::media
