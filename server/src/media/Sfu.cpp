#include "media/Sfu.hpp"

#include <algorithm>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
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
            workerOptions.transport.logger = options.logger;
            workerOptions.onTick = [raw = slot.get()](MediaWorker::Clock::time_point now) {
                for (auto& [roomId, router] : raw->routers) router->tick(now);
                raw->sweepEmptyRooms();
            };
            slot->worker = std::make_unique<MediaWorker>(std::move(workerOptions));
            slots.push_back(std::move(slot));
        }
    }

    // A room always lives on the same worker.
    WorkerSlot& slotFor(const std::string& roomId) {
        return *slots[std::hash<std::string>{}(roomId) % slots.size()];
    }

    Router& routerFor(WorkerSlot& slot, const std::string& roomId) {
        auto& router = slot.routers[roomId];
        if (!router) {
            Router::Options routerOptions;
            routerOptions.announcedAddress = options.announcedAddress;
            routerOptions.testDropPercent = options.testDropPercent;
            routerOptions.testBandwidthCap = options.testBandwidthCap;
            routerOptions.logger = options.logger;
            router = std::make_unique<Router>(roomId, *slot.worker, listener, slot.stats,
                                              std::move(routerOptions));
        }
        return *router;
    }

    Options options;
    SfuListener& listener;
    std::vector<std::unique_ptr<WorkerSlot>> slots;
};

Sfu::Sfu(Options options, SfuListener& listener)
    : impl_(std::make_unique<Impl>(std::move(options), listener)) {}

Sfu::~Sfu() = default;

std::uint16_t Sfu::port() const {
    return impl_->slots.front()->worker->port();
}

void Sfu::offer(const std::string& roomId, const std::string& peerId, std::string sdp,
                std::function<void(std::variant<SfuAnswer, SdpError>)> done) {
    auto& slot = impl_->slotFor(roomId);
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
    auto& slot = impl_->slotFor(roomId);
    slot.worker->post([slot = &slot, roomId, peerId] {
        const auto found = slot->routers.find(roomId);
        if (found == slot->routers.end()) return;
        found->second->removePeer(peerId);
        slot->sweepEmptyRooms();
    });
}

void Sfu::setViews(const std::string& roomId, const std::string& peerId,
                   std::vector<SfuView> views) {
    auto& slot = impl_->slotFor(roomId);
    slot.worker->post([slot = &slot, roomId, peerId, views = std::move(views)]() mutable {
        const auto found = slot->routers.find(roomId);
        if (found == slot->routers.end()) return;
        found->second->setViews(peerId, std::move(views));
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
            stats.transportsClosed = worker.closes;
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
