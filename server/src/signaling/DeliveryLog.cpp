#include "signaling/DeliveryLog.hpp"

namespace pulsemeet::signaling {

void DeliveryLog::record(wire::MessageType type, const wire::SharedMessage& message) {
    entries_.emplace_back(type, message);
    bytes_ += message->size();
    while (entries_.size() > kMaxEntries || bytes_ > kMaxBytes) {
        bytes_ -= entries_.front().second->size();
        entries_.pop_front();
        ++first_;
    }
}

void DeliveryLog::acknowledge(std::uint64_t received) {
    while (!entries_.empty() && first_ < received) {
        bytes_ -= entries_.front().second->size();
        entries_.pop_front();
        ++first_;
    }
}

}  // namespace pulsemeet::signaling
