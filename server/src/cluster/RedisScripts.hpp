#pragma once

#include <string_view>

namespace pulsemeet::cluster::scripts {

// Sent with EVAL: Redis caches scripts by SHA itself, and EVAL needs no NOSCRIPT handling after a
// Redis restart has emptied the script cache. The scripts are a few hundred bytes.

// KEYS[1] members hash; ARGV: peerId, entry, capacity, force ("1": re-registration after a
// reconnect, which must not be refused). Returns {0} when full, else {1, HGETALL, was it a
// member already (1/0)}. Atomic, so joins racing on several instances can never overfill a room.
inline constexpr std::string_view kJoin = R"lua(
local existed = redis.call('HEXISTS', KEYS[1], ARGV[1])
if existed == 0 and ARGV[4] ~= '1'
   and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then
  return {0}
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return {1, redis.call('HGETALL', KEYS[1]), existed}
)lua";

// KEYS[1] members hash; ARGV: instance id. Removes the instance's members, returns their ids.
// Atomic: when several survivors notice one dead instance, exactly one gets each peer back and
// announces it.
inline constexpr std::string_view kEvict = R"lua(
local removed = {}
local all = redis.call('HGETALL', KEYS[1])
local prefix = ARGV[1] .. '\n'
for i = 1, #all, 2 do
  if string.sub(all[i + 1], 1, #prefix) == prefix then
    redis.call('HDEL', KEYS[1], all[i])
    removed[#removed + 1] = all[i]
  end
end
return removed
)lua";

// KEYS[1] members hash; ARGV: peerId, entry. Updates a member's entry (its media state) only if
// it is still a member, so a late update cannot resurrect a peer that left.
inline constexpr std::string_view kUpdate = R"lua(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return 1
)lua";

// KEYS[1] a peer's resume key; ARGV: expected nonce, next nonce (or the tombstone "-"), TTL in
// seconds. Compare-and-set: when the key holds the expected nonce, or nothing (never set, or
// lost with Redis's data), sets the next one and returns 1; else returns 0. Atomic, so of two
// instances shown one token only one accepts it.
inline constexpr std::string_view kResumeSwap = R"lua(
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
)lua";

// KEYS[1] a room's media-owner key; ARGV: this instance, TTL in seconds, an instance presumed
// dead ("" for none). Claims, refreshes or takes over the room's media: when the key is absent
// (never claimed, expired with its owner's heartbeat, lost with Redis's data), holds this
// instance, or holds the dead one, it is set to this instance with a fresh TTL. Returns
// {owner, 1 when it changed hands to this instance else 0}. Atomic, so of instances claiming at
// once exactly one becomes the owner, and the others learn who.
inline constexpr std::string_view kClaimMediaOwner = R"lua(
local current = redis.call('GET', KEYS[1])
if current == false or current == ARGV[1] or (ARGV[3] ~= '' and current == ARGV[3]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  if current == ARGV[1] then return {ARGV[1], 0} end
  return {ARGV[1], 1}
end
return {current, 0}
)lua";

// KEYS[1] a room's media-owner key; ARGV: this instance. Deletes the key only if this instance
// holds it, so a late release cannot take the room from an instance that took it over.
inline constexpr std::string_view kReleaseMediaOwner = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)lua";

}  // namespace pulsemeet::cluster::scripts
