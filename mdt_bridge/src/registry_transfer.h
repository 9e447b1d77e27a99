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
  // Something worked around that the user should hear of (a staging key
  // refused): logged and kept in the status's warnings.
  std::function<void(const std::string& sentence)> warned;
  std::function<void(uint64_t held)> began;       // the transfer starts with `held` bytes staged
  std::function<void(uint64_t held)> progressed;  // a chunk arrived; `held` bytes staged
};

// What the staging file of `offer` is known by: the bytes that travel.
StagedFileId staged_id(const SyncMessage& offer);
// The chunk size the transfer asks for.
uint64_t transfer_chunk(const SyncMessage& offer, const RegistrySyncOptions& opt);

// Every byte of the file, staged (sealed) and ready to be read back through
// staging.reader(), which verifies the SHA-256 as the import reads it.
// `what` names the file in messages ("snapshot version 7"). Errors:
// sync.gone (the registry no longer has the file: staging discarded, ask
// again what to fetch), sync.no_space (the disk filled up: the staging
// files are deleted, so a full disk is not kept full), sync.protocol, sync.registry_<code>, sync.send, the
// staging file's, and the channel's await errors (after
// RegistryChannel::lost).
Status fetch_staged(const SyncMessage& offer, const std::string& what, const RegistrySyncOptions& opt,
                    RegistryChannel& channel, SyncStaging& staging, const TransferHooks& hooks, Poco::Logger& log);

}  // namespace mdtc::bridge
