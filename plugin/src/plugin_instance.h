// One loaded plugin: configuration validated at create, then the cache, the
// CAD link, the GPS reader and the pipeline thread between start and stop.
// The pipeline thread is the only one that touches the Pipeline and the
// cache; the link and GPS threads and the host's action calls post events.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "event_queue.h"
#include "host_callbacks.h"
#include "mdt_host/mdt_host_api.h"
#include "mdtc/bridge.h"
#include "mdtc/cache.h"
#include "mdtc/config.h"
#include "mdtc/gps.h"
#include "mdtc/registry_sync.h"
#include "mdtc/repeat_limiter.h"
#include "mdtc/text_sealer.h"
#include "incident_journal.h"
#include "motion_state.h"
#include "outcome_store.h"
#include "pipeline.h"
#include "mdtc/state_lock.h"
#include "storage_watch.h"

namespace Poco::JSON {
class Object;
}

namespace mdtc::plugin {

class PluginInstance final : private Ports {
 public:
  static Result<std::unique_ptr<PluginInstance>> create(const mdt_host_callbacks* host,
                                                        const mdt_plugin_create_info* info);
  ~PluginInstance() override;

  Status start();
  void stop();
  Status user_action(const std::string& panel_id, const std::string& action_id,
                     const std::string& payload_json);
  std::string status_json() const;

 private:
  struct UserAction {
    std::string panel_id, action_id, payload_json;
  };
  struct Restore {
    std::string record_json;
  };
  struct Stop {};
  // The registry sync applied a file: open calls are looked up again.
  struct CacheChanged {};
  // A dispatch to this unit the link dropped as unreadable (LinkOptions::on_unread_dispatch).
  struct UnreadDispatch {
    std::string incident_id, why;
  };
  using Event = std::variant<bridge::Message, bridge::LinkStatus, gps::Fix, gps::ReaderStatus,
                             UserAction, Restore, UnreadDispatch, CacheChanged, Stop>;

  PluginInstance(HostCallbacks host, config::Config config);
  void run();
  void handle(Event& event);
  void open_cache();
  void warn_aliases_without_place(cache::Cache& cache);
  // One set of options for every handle on the unit's cache.
  cache::OpenOptions cache_options(bool create_if_missing) const;

  // Ports: called on the pipeline thread only.
  Shown show_panel(const PanelDocument& doc) override;
  Shown update_panel(const PanelDocument& doc) override;
  void close_panel(const std::string& panel_id) override;
  void notify(int priority, const std::string& text) override;
  void log(int level, const std::string& message) override;
  Sent send(const bridge::Outbound& message) override;
  cache::MatchResult lookup(const cache::AddressQuery& query) override;
  void audit(const std::string& incident_id, const std::vector<std::string>& flag_ids) override;
  Status record_outcome(Outcome outcome) override;
  void stamp_outcome(const OutcomeStamp& stamp) override;
  // Opens the outcome file if it is not open; false (and a storage problem) if it cannot.
  bool outcomes_ready();
  void remember_incident(const std::string& incident_id, const std::string& record_json) override;
  void forget_incident(const std::string& incident_id) override;
  void wipe_cache(const std::string& reason) override;

  // The car's motion rides on every panel handed to the host; when it
  // changes, each panel on screen is sent again (pipeline thread).
  void refresh_motion(int64_t now_ms);
  PanelDocument with_motion(const PanelDocument& doc) const;
  std::optional<MotionTracker> motion_;
  PanelMotion motion_now_;
  std::map<std::string, PanelDocument> on_screen_;

  HostCallbacks host_;
  const config::Config config_;
  std::vector<std::string> config_warnings_;  // config.inline_comment and the like, logged at start
  // Shared with queued audit records, so a record written after a wipe or
  // stop still has a live handle.
  std::shared_ptr<cache::Cache> cache_;
  std::string cache_error_;
  int64_t cache_retry_ms_ = 0;
  RepeatLimiter lookup_failures_;  // pipeline thread: a line a minute while lookups fail
  // The cache and audit files cache_ has open, as (device, inode): a file
  // moved aside or deleted under an open connection is still read (and
  // written) by it, so the plugin looks at the paths each second.
  std::vector<std::optional<std::pair<uint64_t, uint64_t>>> cache_files_;
  std::vector<std::optional<std::pair<uint64_t, uint64_t>>> cache_files_now() const;
  void remember_cache_files();   // pipeline thread, whenever cache_ is set
  // Set when cache_ opens or the sync changed it: after the event in hand,
  // the pipeline looks the open calls up again.
  bool recheck_due_ = false;
  void check_cache_files();      // pipeline thread, each tick
  // Audit records the file refused (a full disk), oldest first: written
  // before the next record, or by a retry every 10 s. Writer thread only;
  // the pipeline reads the size.
  static constexpr std::size_t kMaxAuditBacklog = 10'000;
  std::deque<cache::AuditEntry> audit_backlog_;
  std::atomic<std::size_t> audit_backlog_size_{0};
  int64_t audit_retry_ms_ = 0;  // pipeline thread
  void write_audit(cache::Cache& cache, std::optional<cache::AuditEntry> entry);  // writer thread
  std::optional<OutcomeStore> outcomes_;
  std::optional<IncidentJournal> journal_;
  // Opens the journal if it is not open (a full disk at start); writer thread once running.
  bool journal_ready();
  // Refused writes of every file the plugin keeps, and the status line about them.
  std::optional<StateLock> state_lock_;  // held from start to stop: one plugin per unit's state
  std::optional<StateLock> cache_lock_;  // the same for the flag cache file: one plugin per cache
  std::unique_ptr<StorageWatch> storage_;
  void check_storage();  // pipeline thread
  // Seals call data at rest in the journal and the outbox, with their own
  // key file beside them (the cache's cipher); null while the key cannot be
  // read or made. Any thread.
  std::shared_ptr<const cache::TextSealer> sealer();
  std::mutex sealer_mu_;
  std::shared_ptr<const cache::TextSealer> sealer_;
  std::unique_ptr<bridge::Link> link_;
  std::unique_ptr<gps::Reader> gps_;
  std::unique_ptr<Pipeline> pipeline_;
  EventQueue<Event> queue_;
  std::thread thread_;
  // Disk writes off the dispatch path (audit records, which fsync, and the
  // incident journal) run in order on their own thread, so the pipeline
  // never waits for the disk before the next dispatch. An empty task stops it.
  EventQueue<std::function<void()>> writes_;
  std::thread writer_;
  void run_writer();
  std::atomic<bool> running_{false};
  // When the pipeline thread last went round its loop, so a host can tell a
  // hung plugin from a quiet one (status_json's pipeline_idle_ms).
  std::atomic<int64_t> pipeline_alive_ms_{0};
  std::optional<int64_t> cache_age_s_;  // guarded by status_mu_; refreshed every 30 s
  std::optional<bool> cache_rules_current_;  // the same
  std::optional<LatLon> position_;      // guarded by status_mu_: the last fresh fix, for a host's day/night
  // What status_json says of the cache ("open", "unavailable", "failing")
  // and why when not open; guarded by status_mu_, set by publish_cache_state.
  std::string cache_state_ = "unavailable";
  std::string cache_problem_;
  std::string lookup_fault_;  // pipeline thread: why the last lookup the open cache got failed
  void publish_cache_state();
  int64_t cache_age_next_ms_ = 0;       // pipeline thread

  mutable std::mutex status_mu_;  // guards the snapshots status_json reads
  // Held by status_json while it reads link_, sync_ and storage_, and by
  // stop() while it drops them. Never taken by the pipeline thread.
  mutable std::mutex parts_mu_;
  std::map<std::string, uint64_t> pipeline_counters_;
  bridge::LinkStatus link_status_;
  gps::ReaderStatus gps_status_;

  // The flag registry sync (plugin_registry_sync.cpp) runs on its own
  // thread and reaches the cache only through sync_cache_, under sync_mu_;
  // cache_ stays the pipeline thread's. A wipe halts it first, so it never
  // writes to (or recreates) a wiped cache.
  Status start_registry_sync();
  void share_cache_with_sync();  // cache_ was just opened
  void adopt_synced_cache();     // pipeline thread: take the cache a first sync created
  void halt_registry_sync(const std::string& reason);
  void add_registry_sync_status(Poco::JSON::Object& root) const;  // under parts_mu_
  // Words for a panel when the registry named a newer version than the cache
  // holds and the sync failed to bring it (pipeline thread); empty otherwise.
  std::string flags_behind_registry() const;
  std::shared_ptr<cache::Cache> sync_cache(bool create);           // sync thread
  std::unique_ptr<bridge::RegistrySync> sync_;
  mutable std::mutex sync_mu_;
  std::shared_ptr<cache::Cache> sync_cache_;  // guarded by sync_mu_
  bool cache_wiped_ = false;                  // guarded by sync_mu_
};

}  // namespace mdtc::plugin
