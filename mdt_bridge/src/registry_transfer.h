// The registry sync's transfer of one offered file: resumed from what the
// staging file already holds, fetched in pipelined chunks over the channel,
// each sealed into the staging file as it arrives. It is read back and
// verified against the offer's SHA-256 as the import reads it. Whether to take the offer, and what
// to do with the verified text, is registry_sync.cpp's.
#pragma once

#include <Poco/Logger.h>

#include <cstdint>
#include <functional>
#include <string>

#include "mdtc/registry_sync.h"
#include "registry_channel.h"
#include "sync_staging.h"

namespace mdtc::bridge {

struct TransferHooks {
  CountFn count;
  std::function<void(uint64_t held)> began;       // the transfer starts with `held` bytes staged
  std::function<void(uint64_t held)> progressed;  // a chunk arrived; `held` bytes staged
};

// Every byte of the file, staged (sealed) and ready to be read back through
// staging.reader(), which verifies the SHA-256 as the import reads it.
// `what` names the file in messages ("snapshot version 7"). Errors:
// sync.gone (the registry no longer has the file: staging discarded, ask
// again what to fetch), sync.protocol, sync.registry_<code>, sync.send, the
// staging file's, and the channel's await errors (after
// RegistryChannel::lost).
Status fetch_staged(const SyncMessage& offer, const std::string& what, const RegistrySyncOptions& opt,
                    RegistryChannel& channel, SyncStaging& staging, const TransferHooks& hooks, Poco::Logger& log);

}  // namespace mdtc::bridge
