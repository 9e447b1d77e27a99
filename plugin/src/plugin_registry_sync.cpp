// PluginInstance and the flag registry sync: the sync thread fetches and
// verifies files (mdt_bridge) and imports them into the same cache the
// pipeline looks up in. The cache is thread-safe and match() never waits for
// an import, so a dispatch is answered from the old data or the new, whole.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>

#include "plugin_instance.h"

namespace mdtc::plugin {
namespace {

Poco::Logger& sync_log() { return Poco::Logger::get("mdtc.registry"); }

// Premises an address lookup cannot find hide their flags from every call
// CAD sends as an address: said in counts (the import report of the file
// names each by id and line; no address reaches this log). Empty if none.
std::string unfindable_words(const cache::ImportReport& r) {
  const int64_t nearby_only = r.coordinates_only + r.corners - r.unfindable;
  if (r.unfindable == 0 && nearby_only == 0) return {};
  std::string words;
  if (r.unfindable > 0)
    words = std::to_string(r.unfindable) + " premises can never be found (a corner without coordinates)";
  if (nearby_only > 0)
    words += (words.empty() ? "" : "; ") + std::to_string(nearby_only) +
             " premises are found only near their coordinates, never by address (a corner, or no usable address)";
  return words + "; correct their addresses in the registry";
}

}  // namespace

std::shared_ptr<cache::Cache> PluginInstance::sync_cache(bool create) {
  std::lock_guard lock(sync_mu_);
  if (cache_wiped_) return nullptr;
  if (!sync_cache_) {
    // A car set up for sync starts without a cache: the first snapshot makes it.
    auto opened = cache::Cache::open(cache_options(create));
    if (!opened) {
      if (create) sync_log().error("flag cache cannot be opened for the registry sync: " + opened.error().code);
      return nullptr;
    }
    sync_cache_ = std::make_shared<cache::Cache>(std::move(*opened));
  }
  return sync_cache_;
}

Status PluginInstance::start_registry_sync() {
  {
    // Called from start() before the pipeline thread runs, so reading
    // cache_ here is safe. A wipe in an earlier session does not carry over.
    std::lock_guard lock(sync_mu_);
    cache_wiped_ = false;
    sync_cache_ = cache_;
  }
  if (config_.registry_endpoint.empty()) return Ok{};
  bridge::RegistrySyncOptions so;
  so.endpoint = config_.registry_endpoint;
  so.identity = config_.unit_id;
  so.interval_s = config_.registry_sync_interval_s;
  so.staging_path = config_.cache_db + ".sync";
  so.cache_path = config_.cache_db;
  if (!config_.registry_server_public_key.empty()) {
    const std::string& key_file =
        config_.registry_client_key_file.empty() ? config_.cad_client_key_file : config_.registry_client_key_file;
    auto keys = bridge::read_curve_key_file(key_file);
    if (!keys) return keys.error();
    so.server_public_key = config_.registry_server_public_key;
    so.client_public_key = keys->public_key;
    so.client_secret_key = keys->secret_key;
  }
  sync_ = std::make_unique<bridge::RegistrySync>(
      so,
      [this]() -> bridge::RegistrySync::Holding {
        auto c = sync_cache(false);
        if (!c) return {};
        return {c->synced_version(), c->wants_snapshot()};
      },
      [this](ByteSource& file, int64_t version, const std::string& mode) -> Status {
        auto c = sync_cache(true);
        if (!c) {
          std::lock_guard lock(sync_mu_);
          return make_error(cache_wiped_ ? "plugin.cache_wiped" : "cache.open",
                            cache_wiped_ ? "the flag cache was wiped in this session"
                                         : "the flag cache cannot be opened");
        }
        // Streamed from the sealed staging file, verified before the commit:
        // the plaintext is never on disk and never whole in memory.
        cache::ImportOptions offered;  // the file must be what the registry said it is
        offered.offered_mode = mode;
        offered.offered_version = version;
        auto r = c->import_stream(file, "registry " + mode + " version " + std::to_string(version), offered);
        if (!r) return r.error();
        // Counts only: no name, note or address reaches a log.
        sync_log().information("flag registry " + mode + " version " + std::to_string(version) + " applied: " +
                               std::to_string(r->premises) + " premises, " + std::to_string(r->flags) +
                               " flags, " + std::to_string(r->deletes) + " deletes");
        if (const std::string lost = unfindable_words(*r); !lost.empty())
          sync_log().warning("flag registry " + mode + " version " + std::to_string(version) + ": " + lost);
        // A snapshot brings the places anew: an alias may now name none.
        if (mode == "snapshot") warn_aliases_without_place(*c);
        queue_.push(CacheChanged{});  // a flag may have come for a call already open
        return Ok{};
      },
      [this](int64_t) {
        // The registry confirmed the cache is current: that is what its
        // freshness ("flags N hours old") measures.
        if (auto c = sync_cache(false))
          if (auto r = c->mark_synced(); !r)
            sync_log().warning("could not record the registry check: " + r.error().code);
      });
  return sync_->start();
}

// The pipeline thread never waits for sync_mu_: the sync thread may hold it
// while it opens (creates, migrates) the cache. Missing the lock costs
// nothing: the sync opens its own handle, and the next lookup tries again.
void PluginInstance::share_cache_with_sync() {
  std::unique_lock lock(sync_mu_, std::try_to_lock);
  if (lock && !cache_wiped_ && !sync_cache_) sync_cache_ = cache_;
}

void PluginInstance::adopt_synced_cache() {
  std::unique_lock lock(sync_mu_, std::try_to_lock);
  if (!lock || !sync_cache_ || cache_wiped_) return;
  cache_ = sync_cache_;
  cache_error_.clear();
  lookup_fault_.clear();
  remember_cache_files();
  recheck_due_ = true;
}

void PluginInstance::halt_registry_sync(const std::string& reason) {
  // Waits for an import in progress, so the files erased next are not
  // written again by it; a wiped car is not refilled in this session.
  if (sync_) sync_->halt("cache " + reason + "; registry sync halted until the plugin restarts");
  std::lock_guard lock(sync_mu_);
  cache_wiped_ = true;
  sync_cache_.reset();
}

std::string PluginInstance::flags_behind_registry() const {
  if (!sync_) return {};
  const auto s = sync_->standing();
  return registry_ahead_words(s.state, s.version, s.registry_version);
}

void PluginInstance::add_registry_sync_status(Poco::JSON::Object& root) const {
  if (!sync_) return;
  const auto s = sync_->status();
  Poco::JSON::Object o(Poco::JSON_PRESERVE_KEY_ORDER);
  o.set("endpoint", config_.registry_endpoint);
  o.set("state", s.state);
  if (s.version) o.set("version", *s.version);
  if (s.registry_version) o.set("registry_version", *s.registry_version);
  o.set("last_success", s.last_success);
  o.set("last_error", s.last_error);
  // The id monitoring matches on (docs/protocol.md, "Error ids"); empty
  // after a success, as last_error.
  o.set("last_error_code", s.last_error_code);
  if (s.transfer_total) {
    o.set("transfer_version", s.transfer_version);
    o.set("transfer_mode", s.transfer_mode);
    o.set("transfer_bytes", s.transfer_bytes);
    o.set("transfer_total", s.transfer_total);
  }
  for (const auto& [k, v] : s.counters) o.set(k, v);
  Poco::JSON::Array warnings;
  for (const auto& w : s.warnings) warnings.add(w);
  o.set("warnings", warnings);
  root.set("registry_sync", o);
}

}  // namespace mdtc::plugin
