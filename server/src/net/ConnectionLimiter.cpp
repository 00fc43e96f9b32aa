#include "net/ConnectionLimiter.hpp"

namespace pulsemeet::net {

ConnectionSlot& ConnectionSlot::operator=(ConnectionSlot&& other) noexcept {
    if (this != &other) {
        release();
        limiter_ = std::exchange(other.limiter_, nullptr);
        ip_ = std::move(other.ip_);
    }
    return *this;
}

void ConnectionSlot::release() {
    if (limiter_ != nullptr) std::exchange(limiter_, nullptr)->release(ip_);
}

ConnectionSlot ConnectionLimiter::acquire(const std::string& ip) {
    std::lock_guard lock(mutex_);
    int& open = open_[ip];
    if (perIp_ > 0 && open >= perIp_) {
        if (open == 0) open_.erase(ip);
        return {};
    }
    ++open;
    return ConnectionSlot(*this, ip);
}

int ConnectionLimiter::count(const std::string& ip) const {
    std::lock_guard lock(mutex_);
    const auto it = open_.find(ip);
    return it == open_.end() ? 0 : it->second;
}

void ConnectionLimiter::release(const std::string& ip) {
    std::lock_guard lock(mutex_);
    const auto it = open_.find(ip);
    if (it != open_.end() && --it->second <= 0) open_.erase(it);  // the map holds live IPs only
}

}  // namespace pulsemeet::net
