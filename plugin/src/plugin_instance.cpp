#include "plugin_instance.h"

#include "cache_options.h"

#include "plugin_log.h"
#include "mdtc/state_lock.h"
#include "mdtc/private_file.h"
#include "mdtc/time_text.h"
#include "premise_panel.h"

#include <Poco/JSON/Object.h>
#include <Poco/Logger.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <future>
#include <sstream>

namespace mdtc::plugin {
namespace {

Poco::Logger& logger(const char* module) { return Poco::Logger::get(std::string("mdtc.") + module); }

// Logging (Poco's `mdtc.*` loggers) is process-wide: a second instance
// would take the first one's log channel, and destroying either would
// silence both. So one instance lives per process, as the ABI header says.
std::atomic<bool> g_instance_live{false};

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The plugin's own small files live beside the cache, one set per unit.
std::string beside_cache(const config::Config& c, const std::string& stem) {
  const auto dir = std::filesystem::path(c.cache_db).parent_path();
  return (dir / (stem + "-" + c.unit_id + ".db")).string();
}

std::string data_dir(const config::Config& c) {
  return std::filesystem::path(c.cache_db).parent_path().string();
}

std::string key_path_for(const config::Config& c) {
  return c.cache_key_file.empty() ? c.cache_db + ".key" : c.cache_key_file;
}

// The journal's and the outbox's own key: not the cache's, which a wipe
// erases and which a car without a cache yet does not have.
std::string sealing_key_path_for(const config::Config& c) {
  return (std::filesystem::path(c.cache_db).parent_path() / ("sealing-" + c.unit_id + ".key")).string();
}

std::string outbox_path_for(const config::Config& c) {
  return c.outbox_db.empty() ? beside_cache(c, "outbox") : c.outbox_db;
}

}  // namespace

Result<std::unique_ptr<PluginInstance>> PluginInstance::create(const mdt_host_callbacks* host,
                                                               const mdt_plugin_create_info* info) {
  auto callbacks = HostCallbacks::adopt(host);
  if (!callbacks) return callbacks.error();
  if (!info || info->struct_size < offsetof(mdt_plugin_create_info, config_path) + sizeof(char*))
    return make_error("abi.too_small", "create info is missing or too small");
  if (!info->config_path || !*info->config_path)
    return make_error("config.missing", "create info names no configuration file");
  std::vector<std::string> files{info->config_path};
  const bool has_unit = info->struct_size >= offsetof(mdt_plugin_create_info, unit_config_path) +
                                                 sizeof(char*) &&
                        info->unit_config_path && *info->unit_config_path;
  if (has_unit) files.emplace_back(info->unit_config_path);
  config::Report report = config::check(files, config::environment_overrides());
  if (!report.ok()) return config::to_error(report);
  if (bool expected = false; !g_instance_live.compare_exchange_strong(expected, true))
    return make_error("plugin.second_instance",
                      "another mdt-coresponder instance exists in this process: one instance per "
                      "process (its logging is process-wide); destroy it before creating another");
  auto instance = std::unique_ptr<PluginInstance>(new PluginInstance(std::move(*callbacks), std::move(report.config)));
  // Logging is configured at start; the warnings wait for it.
  for (auto& w : report.warnings) instance->config_warnings_.push_back(std::move(w.message));
  return instance;
}

PluginInstance::PluginInstance(HostCallbacks host, config::Config config)
    : host_(std::move(host)), config_(std::move(config)) {}

PluginInstance::~PluginInstance() {
  stop();
  shutdown_logging();  // the host's callbacks are not ours to call after destroy
  g_instance_live = false;
}

cache::OpenOptions PluginInstance::cache_options(bool create_if_missing) const {
  return cache_open_options(config_, create_if_missing ? CacheAccess::create_if_missing : CacheAccess::existing);
}

void PluginInstance::open_cache() {
  auto opened = cache::Cache::open(cache_options(false));
  if (opened) {
    cache_ = std::make_shared<cache::Cache>(std::move(*opened));
    cache_error_.clear();
    lookup_fault_.clear();
    remember_cache_files();
    recheck_due_ = true;
    share_cache_with_sync();
    logger("cache").information("flag cache open");
    // Flags still show; the record of what was shown does not hold, and
    // only doctor would otherwise say so.
    const auto st = cache_->stats();
    {
      std::lock_guard lock(status_mu_);
      cache_age_s_ = st ? st->age_s : std::nullopt;
      cache_rules_current_ = st ? std::optional<bool>(st->address_rules_current) : std::nullopt;
    }
    // Found from outside: a corrupt file moved aside on open left only an
    // information line, "flag cache open", while every call said FLAGS
    // UNAVAILABLE.
    if (st && !st->recovered_from.empty())
      logger("cache").error("flag cache " + config_.cache_db + " was damaged and was moved to " + st->recovered_from +
                            ": flags are unavailable until a registry snapshot is imported or synced");
    if (st && !st->audit_problem.empty()) logger("cache").error("audit chain broken: " + st->audit_problem);
    // After an upgrade that changed the address rules, some spellings find
    // nothing until the next snapshot, and no panel can say so: the log does.
    if (st && st->age_s && !st->address_rules_current)
      logger("cache").warning("flag cache: " + cache::address_rules_problem(st->address_rules) +
                              (config_.registry_endpoint.empty()
                                   ? " (import the registry's newest snapshot export)"
                                   : " (the registry sync asks for a snapshot at every sync)"));
    warn_aliases_without_place(*cache_);
  } else {
    // The officer's panel gets words; the path and the detail go to the log.
    cache_error_ = unavailable_words(opened.error().code);
    logger("cache").error("flag cache unavailable: " + opened.error().code + ": " + opened.error().message);
  }
  publish_cache_state();
}

void PluginInstance::publish_cache_state() {
  std::string state = "open", problem;
  if (!cache_) {
    state = "unavailable";
    problem = cache_error_.empty() ? "cache not open" : cache_error_;
  } else if (!lookup_fault_.empty()) {
    state = "failing";
    problem = lookup_fault_;
  }
  // Runs after every event: the lock only when there is news. (Only this
  // thread writes these, so reading them here unlocked races with nothing.)
  if (state == cache_state_ && problem == cache_problem_) return;
  std::lock_guard lock(status_mu_);
  cache_state_ = std::move(state);
  cache_problem_ = std::move(problem);
}

// A cache.place_aliases entry naming a place no premise is in sends every
// CAD address written with it to nothing, silently: say so to the admin.
void PluginInstance::warn_aliases_without_place(cache::Cache& cache) {
  auto unknown = cache.aliases_without_place();
  if (!unknown) {
    logger("cache").warning("cache.place_aliases not checked against the cache's places: " + unknown.error().code);
    return;
  }
  for (const auto& a : *unknown) logger("cache").warning(cache::alias_without_place_text(a));
}

Status PluginInstance::start() {
  if (running_) return Ok{};
  if (auto st = configure_logging(config_, host_); !st) return st;
  for (const auto& w : config_warnings_) logger("plugin").warning(w);
  PipelineOptions po;
  po.role = config_.role;
  po.unit_id = config_.unit_id;
  po.unit_name = config_.unit_name.empty() ? config_.unit_id : config_.unit_name;
  po.accept_timeout_s = config_.coresponder_accept_timeout_s;
  po.fallback = config_.coresponder_fallback;
  po.telehealth_uri = config_.coresponder_telehealth_uri;
  po.crisis_line_uri = config_.coresponder_crisis_line_uri;
  po.state_stale_s = config_.coresponder_state_stale_s;
  po.gps_stale_after_s = config_.gps_stale_after_s;
  po.schedule_configured = !config_.coresponder_schedule_file.empty();
  po.schedule = config_.coresponder_schedule;
  po.auto_request = config_.coresponder_auto_request_rules;
  po.eta_speed_mps = config_.coresponder_eta_speed_kmh / 3.6;
  po.incident_max_age_h = config_.cad_incident_max_age_h;
  pipeline_ = std::make_unique<Pipeline>(po, static_cast<Ports&>(*this));
  motion_.emplace(MotionOptions{config_.panel_lock_speed_kmh, config_.panel_unlock_after_s,
                                config_.gps_stale_after_s});
  motion_now_ = motion_->state(steady_ms());
  pipeline_alive_ms_ = steady_ms();
  on_screen_.clear();
  make_private_dir(data_dir(config_));
  {
    const passwd* pw = ::getpwuid(::geteuid());
    const std::string who = std::string("account ") + (pw ? pw->pw_name : "unknown");
    auto lock = StateLock::acquire(data_dir(config_), config_.unit_id, who);
    if (!lock) return lock.error();
    if (!lock->warning().empty()) logger("plugin").warning(lock->warning());
    auto cache_lock = StateLock::acquire_cache(config_.cache_db, config_.unit_id, who);
    if (!cache_lock) return cache_lock.error();
    if (!cache_lock->warning().empty()) logger("plugin").warning(cache_lock->warning());
    state_lock_ = std::move(*lock);
    cache_lock_ = std::move(*cache_lock);
  }
  storage_ = std::make_unique<StorageWatch>(data_dir(config_));
  queue_.clear();
  open_cache();
  recheck_due_ = false;  // no call is open yet; restored ones are looked up as they come

  bridge::LinkOptions lo;
  lo.unit_id = config_.unit_id;
  lo.subscribe_endpoint = config_.cad_subscribe_endpoint;
  lo.dealer_endpoint = config_.cad_dealer_endpoint;
  lo.server_public_key = config_.cad_server_public_key;
  lo.heartbeat_timeout_s = config_.cad_heartbeat_timeout_s;
  lo.max_message_bytes = static_cast<std::size_t>(config_.cad_max_message_bytes);
  lo.outbox_path = outbox_path_for(config_);
  lo.on_unread_dispatch = [this](const std::string& id, const std::string& why) {
    queue_.push(UnreadDispatch{id, why});
  };
  lo.seal_body = [this](const std::string& body, const std::string& key) -> std::optional<std::string> {
    auto s = sealer();
    if (!s) return std::nullopt;
    return s->seal(body, "outbox:" + key);
  };
  lo.open_body = [this](const std::string& stored, const std::string& key) -> std::optional<std::string> {
    if (!cache::TextSealer::is_sealed(stored)) return stored;  // written by an older version
    auto s = sealer();
    return s ? s->open(stored, "outbox:" + key) : std::nullopt;
  };
  {
    lo.hello_json = bridge::encode_body(bridge::Hello{config::to_string(config_.role), po.unit_name});
  }
  if (!config_.cad_client_key_file.empty()) {
    auto keys = bridge::read_curve_key_file(config_.cad_client_key_file);
    if (!keys) return keys.error();
    lo.client_public_key = keys->public_key;
    lo.client_secret_key = keys->secret_key;
  } else if (!config_.cad_server_public_key.empty()) {
    return make_error("config.missing_key",
                      "cad.server_public_key is set but cad.client_key_file is not: CURVE needs "
                      "this unit's key pair (mdt-coresponder keys generate)");
  }
  link_ = std::make_unique<bridge::Link>(
      lo, [this](bridge::Message m) { queue_.push(std::move(m)); },
      [this](const bridge::LinkStatus& s) { queue_.push(s); });

  if (journal_ready()) {
    // Queued before the link starts, so the restored panels come first.
    if (auto open_incidents = journal_->all(); open_incidents)
      for (auto& [id, record] : *open_incidents) {
        if (!cache::TextSealer::is_sealed(record)) {  // written by an older version
          queue_.push(Restore{std::move(record)});
        } else if (auto s = sealer()) {
          if (auto plain = s->open(record, "journal:" + id)) queue_.push(Restore{std::move(*plain)});
        }
      }
  }

  running_ = true;
  writer_ = std::thread([this] { run_writer(); });
  thread_ = std::thread([this] { run(); });
  if (auto st = link_->start(); !st) {
    stop();
    return st.error();
  }
  if (auto st = start_registry_sync(); !st) {
    stop();
    return st.error();
  }
  if (!config_.gps_port.empty()) {
    gps::ReaderOptions go;
    go.port = config_.gps_port;
    go.baud = config_.gps_baud;
    go.stale_after_s = config_.gps_stale_after_s;
    gps_ = std::make_unique<gps::Reader>(
        go, [this](const gps::Fix& f) { queue_.push(f); },
        [this](const gps::ReaderStatus& s) { queue_.push(s); });
    if (auto st = gps_->start(); !st)
      logger("gps").warning("GPS not started: " + st.error().message);
  }
  logger("plugin").information("started unit " + config_.unit_id + " role " +
                               config::to_string(config_.role));
  return Ok{};
}

void PluginInstance::stop() {
  // Producers first, so nothing is posted to a pipeline that is going away.
  if (gps_) gps_->stop();
  if (link_) link_->stop();
  if (sync_) sync_->stop();
  if (thread_.joinable()) {
    queue_.push(Stop{});
    thread_.join();
    writes_.push({});  // after every write already queued
    writer_.join();
    if (!audit_backlog_.empty())
      logger("cache").error(std::to_string(audit_backlog_.size()) +
                            " audit record(s) of flags shown could not be written before the stop (the disk "
                            "refused them) and are lost; the first is for incident " +
                            audit_backlog_.front().incident);
    // Shared cars: nothing of the flag cache stays behind when the session ends.
    if (config_.cache_wipe_on_session_end) {
      wipe_cache("erased at the end of the session");
      journal_.reset();
      std::error_code ec;
      for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(beside_cache(config_, "incidents") + suffix, ec);
    }
  }
  running_ = false;
  std::lock_guard lock(parts_mu_);  // status_json may be reading the link's counters
  gps_.reset();
  link_.reset();
  sync_.reset();
  {
    std::lock_guard sync_lock(sync_mu_);
    sync_cache_.reset();
  }
  cache_.reset();
  outcomes_.reset();
  journal_.reset();
  cache_lock_.reset();
  state_lock_.reset();  // last: everything that wrote to the state is closed
}

Status PluginInstance::user_action(const std::string& panel_id, const std::string& action_id,
                                   const std::string& payload_json) {
  if (!running_) return make_error("plugin.not_started", "plugin is not started");
  if (panel_id.empty() || action_id.empty())
    return make_error("plugin.bad_action", "panel id and action id are required");
  queue_.push(UserAction{panel_id, action_id, payload_json});
  return Ok{};
}

void PluginInstance::run() {
  using namespace std::chrono;
  auto next_tick = steady_clock::now() + seconds(1);
  for (;;) {
    auto event = queue_.pop_until(next_tick);
    pipeline_alive_ms_ = steady_ms();
    if (!event) {
      check_storage();
      check_cache_files();
      pipeline_->on_tick(steady_ms());
      refresh_motion(steady_ms());
      publish_cache_state();
      if (audit_backlog_size_ > 0 && cache_ && steady_ms() >= audit_retry_ms_) {
        audit_retry_ms_ = steady_ms() + 10'000;
        writes_.push([this, cache = cache_] { write_audit(*cache, std::nullopt); });
      }
      if (cache_ && steady_ms() >= cache_age_next_ms_) {
        // stats() reads counts kept beside the data: milliseconds, so twice a minute is enough.
        cache_age_next_ms_ = steady_ms() + 30'000;
        auto stats = cache_->stats();
        std::lock_guard lock(status_mu_);
        cache_age_s_ = stats ? stats->age_s : std::nullopt;
        cache_rules_current_ = stats ? std::optional<bool>(stats->address_rules_current) : std::nullopt;
      }
      next_tick = steady_clock::now() + seconds(1);
      continue;
    }
    if (std::holds_alternative<Stop>(*event)) break;
    try {
      handle(*event);
      if (recheck_due_) {
        recheck_due_ = false;
        pipeline_->on_cache_changed(steady_ms());
      }
    } catch (const std::exception& e) {
      // A bug in one event must not take the pipeline down with it.
      logger("plugin.pipeline").error(std::string("event failed: ") + e.what());
    }
    publish_cache_state();
    std::lock_guard lock(status_mu_);
    pipeline_counters_ = pipeline_->counters();
  }
}

void PluginInstance::handle(Event& event) {
  const int64_t now = steady_ms();
  if (auto* m = std::get_if<bridge::Message>(&event)) {
    pipeline_->on_message(*m, now);
  } else if (auto* s = std::get_if<bridge::LinkStatus>(&event)) {
    {
      std::lock_guard lock(status_mu_);
      link_status_ = *s;
    }
    pipeline_->on_link_status(*s);
  } else if (auto* f = std::get_if<gps::Fix>(&event)) {
    pipeline_->on_fix(*f, now);
    {
      std::lock_guard lock(status_mu_);
      position_ = pipeline_->position(now);
    }
    motion_->on_fix(f->speed_mps, now);
    refresh_motion(now);
  } else if (auto* g = std::get_if<gps::ReaderStatus>(&event)) {
    std::lock_guard lock(status_mu_);
    gps_status_ = *g;
  } else if (auto* r = std::get_if<Restore>(&event)) {
    pipeline_->restore(r->record_json, now);
  } else if (std::holds_alternative<CacheChanged>(event)) {
    recheck_due_ = true;
  } else if (auto* u = std::get_if<UnreadDispatch>(&event)) {
    // Said aloud and on screen: no panel for this call is not "no flags".
    logger("plugin.pipeline").warning("dispatch " + u->incident_id + " could not be read (" + u->why +
                                      "): its flags were not checked");
    notify(MDT_NOTIFY_CAUTION, "Dispatch " + u->incident_id +
                                   " could not be read - its flags were not checked; confirm the address with dispatch");
  } else if (auto* a = std::get_if<UserAction>(&event)) {
    if (auto st = pipeline_->on_user_action(a->panel_id, a->action_id, now, a->payload_json); !st)
      logger("plugin.pipeline").warning(st.error().message);
  }
}

namespace {
Ports::Shown host_answer(int32_t rc) {
  return rc == MDT_OK ? Ports::Shown::yes
         : rc == MDT_ERR_NOT_FOUND ? Ports::Shown::not_found
                                   : Ports::Shown::refused;
}
}  // namespace

PanelDocument PluginInstance::with_motion(const PanelDocument& doc) const {
  PanelDocument out = doc;
  out.motion = motion_now_;
  return out;
}

void PluginInstance::refresh_motion(int64_t now_ms) {
  const PanelMotion now = motion_->state(now_ms);
  if (now == motion_now_) return;
  motion_now_ = now;
  logger("plugin.motion").information(std::string(now.moving ? "moving" : "not moving") +
                                      " (GPS " + now.gps + ")");
  for (auto& [id, doc] : on_screen_) {
    doc.motion = motion_now_;
    // A refusal here is left to the pipeline's own retry at the panel's next change.
    if (const int32_t rc = host_.update_panel(id, doc.to_json()); rc != MDT_OK)
      logger("plugin.host").warning("host refused the motion update of panel " + id + " (" +
                                    std::to_string(rc) + ")");
  }
}

Ports::Shown PluginInstance::show_panel(const PanelDocument& plain) {
  PanelDocument doc = with_motion(plain);
  const int32_t rc = host_.show_panel(doc.id, doc.to_json());
  if (rc != MDT_OK)
    logger("plugin.host").warning("host refused panel " + doc.id + " (" + std::to_string(rc) +
                                  "): showing it again");
  else
    on_screen_[doc.id] = std::move(doc);
  return host_answer(rc);
}

Ports::Shown PluginInstance::update_panel(const PanelDocument& plain) {
  const PanelDocument doc = with_motion(plain);
  const int32_t rc = host_.update_panel(doc.id, doc.to_json());
  if (rc == MDT_OK) on_screen_[doc.id] = doc;
  if (rc == MDT_ERR_NOT_FOUND) on_screen_.erase(doc.id);
  if (rc != MDT_OK)
    logger("plugin.host").warning("host refused update of panel " + doc.id + " (" +
                                  std::to_string(rc) + ")");
  return host_answer(rc);
}

void PluginInstance::close_panel(const std::string& panel_id) {
  on_screen_.erase(panel_id);
  host_.close_panel(panel_id);
}

void PluginInstance::notify(int priority, const std::string& text) { host_.notify(priority, text); }

void PluginInstance::log(int level, const std::string& message) {
  auto& l = logger("plugin");
  if (level <= MDT_LOG_ERROR) l.error(message);
  else if (level == MDT_LOG_WARNING) l.warning(message);
  else if (level == MDT_LOG_NOTICE) l.notice(message);
  else if (level == MDT_LOG_INFO) l.information(message);
  else l.debug(message);
}

Sent PluginInstance::send(const bridge::Outbound& message) {
  if (!link_) return Sent::failed;
  auto queued = link_->send(message);
  if (!queued) {
    logger("bridge").error("could not queue " + std::string(bridge::to_string(bridge::type_of(message))) + ": " +
                           queued.error().message);
    return Sent::failed;
  }
  return queued->kept ? Sent::kept : Sent::not_kept;
}

void PluginInstance::check_storage() {
  storage_->set_link_fault(link_ ? link_->storage_fault() : std::nullopt);
  if (auto s = storage_->changed(std::chrono::steady_clock::now())) pipeline_->on_storage_status(*s);
}

namespace {
std::optional<std::pair<uint64_t, uint64_t>> file_identity(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
}
}  // namespace

std::vector<std::optional<std::pair<uint64_t, uint64_t>>> PluginInstance::cache_files_now() const {
  return {file_identity(config_.cache_db), file_identity(cache::audit_log_path(config_.cache_db))};
}

void PluginInstance::remember_cache_files() { cache_files_ = cache_files_now(); }

// Found from outside: with the cache moved aside and a new one imported in
// its place while the MDT ran, the plugin went on reading the moved file, so
// a flag only the new one held popped no panel; a deleted audit file went
// on taking the records of flags shown, lost with it. Either now reopens the
// cache at its path: the new file, or "unavailable" when there is none, and
// a new audit file that `verify` reports as a broken chain.
void PluginInstance::check_cache_files() {
  if (!cache_ || cache_files_.empty()) return;
  const auto now = cache_files_now();
  if (now == cache_files_) return;
  // The sync may be importing into this very handle: look again next tick.
  std::unique_lock lock(sync_mu_, std::try_to_lock);
  if (!lock) return;
  logger("cache").error("flag cache: " + (now[0] != cache_files_[0] ? config_.cache_db : cache::audit_log_path(config_.cache_db)) +
                        " was moved, replaced or deleted while open: opening the cache at its path again");
  if (sync_cache_ == cache_) sync_cache_.reset();
  lock.unlock();
  cache_.reset();
  cache_files_.clear();
  open_cache();
  cache_retry_ms_ = steady_ms() + 60'000;
}

std::shared_ptr<const cache::TextSealer> PluginInstance::sealer() {
  std::lock_guard lock(sealer_mu_);
  if (!sealer_) {
    if (auto opened = cache::TextSealer::open(sealing_key_path_for(config_)); opened)
      sealer_ = std::move(opened.value());
  }
  return sealer_;
}

bool PluginInstance::journal_ready() {
  if (journal_) return true;
  auto journal = IncidentJournal::open(beside_cache(config_, "incidents"));
  if (!journal) {
    storage_->failed("incident journal", journal.error(), "journal.not_written");
    return false;
  }
  journal_.emplace(std::move(*journal));
  storage_->succeeded("incident journal");
  return true;
}

cache::MatchResult PluginInstance::lookup(const cache::AddressQuery& query) {
  const int64_t now = steady_ms();
  if (!cache_) adopt_synced_cache();  // the first registry sync may have created it
  if (!cache_ && now >= cache_retry_ms_) {
    cache_retry_ms_ = now + 60'000;  // a missing cache may arrive with the next sync
    open_cache();
  }
  if (!cache_) {
    cache::MatchResult r;
    r.freshness = cache::Freshness::unavailable;
    r.unavailable_reason = cache_error_.empty() ? "cache not open" : cache_error_;
    return r;
  }
  cache::MatchResult r = cache_->match(query, cache_match_options(config_));
  // Found from outside: a cache damaged while open answered "malformed"
  // on the panel and nothing reached the log. Once a minute, with a count;
  // and the strip says FLAGS UNAVAILABLE until a lookup is answered again.
  if (r.freshness == cache::Freshness::unavailable) {
    lookup_fault_ = r.unavailable_reason;
    if (const auto n = lookup_failures_.occur(std::chrono::steady_clock::now()))
      logger("cache").error("flag cache could not answer (" + std::to_string(*n) +
                            (*n == 1 ? " lookup" : " lookups") + " since the last line): " + r.unavailable_reason +
                            "; those calls show FLAGS UNAVAILABLE (mdt-coresponder doctor says why)");
  } else if (!lookup_fault_.empty()) {
    lookup_fault_.clear();
    lookup_failures_.clear();
    logger("cache").notice("flag cache answers lookups again");
  }
  // Found from outside: a car whose cache refused the registry's newer file
  // went on saying "Flags updated 6 min ago", and an address flagged only in
  // that file popped no panel, for up to cache.max_age_h.
  if (r.freshness == cache::Freshness::fresh)
    if (auto behind = flags_behind_registry(); !behind.empty()) {
      r.freshness = cache::Freshness::stale;
      r.stale_reason = std::move(behind);
    }
  return r;
}

void PluginInstance::audit(const std::string& incident_id, const std::vector<std::string>& flag_ids) {
  if (!cache_) return;
  // The task keeps its own handle: a wipe or stop may drop cache_ first.
  writes_.push([this, cache = cache_,
                entry = cache::AuditEntry{config_.unit_id, host_.current_user(), incident_id, flag_ids,
                                          now_unix()}]() mutable { write_audit(*cache, std::move(entry)); });
}

// Found from outside: two calls shown while the disk was full were never in
// the audit trail, and once space came back nothing said so. Records that
// cannot be written wait here, in order, with the time they happened, and
// go to the file with the next record or the next retry.
void PluginInstance::write_audit(cache::Cache& cache, std::optional<cache::AuditEntry> entry) {
  if (entry) audit_backlog_.push_back(std::move(*entry));
  while (!audit_backlog_.empty()) {
    if (auto st = cache.audit(audit_backlog_.front()); !st) {
      storage_->failed("audit", st.error(), entry ? "audit.held" : "");
      if (audit_backlog_.size() > kMaxAuditBacklog) {
        audit_backlog_.pop_front();
        storage_->count("audit.lost");
      }
      audit_backlog_size_ = audit_backlog_.size();
      return;
    }
    audit_backlog_.pop_front();
  }
  audit_backlog_size_ = 0;
  storage_->succeeded("audit");
}

void PluginInstance::run_writer() {
  for (;;) {
    std::function<void()> task = writes_.pop();
    if (!task) return;
    task();
  }
}

bool PluginInstance::outcomes_ready() {
  if (outcomes_) return true;
  auto opened = OutcomeStore::open(beside_cache(config_, "outcomes"));
  if (!opened) {
    storage_->failed("outcomes", opened.error(), "outcomes.not_written");
    return false;
  }
  outcomes_.emplace(std::move(*opened));
  return true;
}

// The outcome file is touched only by the writer thread once the plugin
// runs: each stamp commits with an fsync, and stamps come with offers and
// requests, where the pipeline must not wait for the disk before the panel.
// Queued in order behind the journal's writes, a stamp is on disk within
// one write's time; a crash in that window loses it as it would an
// unwritten journal entry.
void PluginInstance::stamp_outcome(const OutcomeStamp& stamp) {
  writes_.push([this, stamp] {
    if (!outcomes_ready()) return;
    if (auto st = outcomes_->stamp(stamp); !st) storage_->failed("outcomes", st.error(), "outcomes.not_written");
    else storage_->succeeded("outcomes");
  });
}

// A clinician filing an outcome waits for it to be on disk (the panel says
// whether it was filed), behind the stamps already queued.
Status PluginInstance::record_outcome(Outcome outcome) {
  outcome.recorded_at = rfc3339_utc(now_unix());
  std::promise<Status> filed;
  std::future<Status> result = filed.get_future();
  writes_.push([this, &outcome, &filed] {
    if (!outcomes_ready()) {
      filed.set_value(make_error("outcomes.not_written", "outcome file " + beside_cache(config_, "outcomes") +
                                                             " cannot be opened: the outcome was not filed"));
      return;
    }
    auto st = outcomes_->record(outcome);
    if (!st) storage_->failed("outcomes", st.error(), "outcomes.not_written");
    else storage_->succeeded("outcomes");
    filed.set_value(std::move(st));
  });
  return result.get();
}

// The journal is touched only by the writer thread once the plugin runs.
void PluginInstance::remember_incident(const std::string& incident_id, const std::string& record_json) {
  writes_.push([this, incident_id, record_json] {
    if (!journal_ready()) return;
    auto s = sealer();
    if (!s) {
      storage_->failed("incident journal", make_error("storage.no_key", "no key to seal it with"),
                       "journal.not_written");
      return;
    }
    if (auto st = journal_->put(incident_id, s->seal(record_json, "journal:" + incident_id)); !st)
      storage_->failed("incident journal", st.error(), "journal.not_written");
    else
      storage_->succeeded("incident journal");
  });
}

void PluginInstance::forget_incident(const std::string& incident_id) {
  writes_.push([this, incident_id] {
    if (!journal_ready()) return;
    if (auto st = journal_->erase(incident_id); !st)
      storage_->failed("incident journal", st.error(), "journal.not_written");
    else
      storage_->succeeded("incident journal");
  });
}

void PluginInstance::wipe_cache(const std::string& reason) {
  halt_registry_sync(reason);
  cache_.reset();
  std::error_code ec;
  const std::string key = key_path_for(config_);
  const std::string audit = cache::audit_log_path(config_.cache_db);
  for (const std::string& f : {config_.cache_db, config_.cache_db + "-wal", config_.cache_db + "-shm", key, audit,
                               audit + "-wal", audit + "-shm"})
    std::filesystem::remove(f, ec);
  // Copies that a reset or a corrupt file moved aside hold the same
  // addresses and flag codes in clear: a wipe that left them erased nothing.
  const std::filesystem::path db(config_.cache_db);
  const std::string aside = db.filename().string() + ".";
  for (const auto& entry : std::filesystem::directory_iterator(db.has_parent_path() ? db.parent_path() : ".", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(aside, 0) == 0 && (name.find(".reset-") != std::string::npos || name.find(".corrupt-") != std::string::npos))
      std::filesystem::remove(entry.path(), ec);
  }
  cache_error_ = "cache " + reason;
  cache_retry_ms_ = steady_ms() + 60'000;
  logger("cache").notice("flag cache " + reason);
}

std::string PluginInstance::status_json() const {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("unit", config_.unit_id);
  root.set("role", config::to_string(config_.role));
  root.set("running", running_.load());
  // Copies taken under the lock and nothing else done there: the pipeline
  // thread takes status_mu_ after every event, so while it is held this
  // must not wait for another part's lock (the outbox's, behind a commit;
  // the sync's) nor build the text; a host polling status held dispatches
  // up by milliseconds that way.
  std::map<std::string, uint64_t> pipeline_counters;
  bridge::LinkStatus link_status;
  gps::ReaderStatus gps_status;
  std::optional<int64_t> cache_age_s;
  std::optional<bool> cache_rules_current;
  std::optional<LatLon> position;
  std::string cache_state, cache_problem;
  {
    std::lock_guard lock(status_mu_);
    cache_state = cache_state_;
    cache_problem = cache_problem_;
    pipeline_counters = pipeline_counters_;
    link_status = link_status_;
    gps_status = gps_status_;
    cache_age_s = cache_age_s_;
    cache_rules_current = cache_rules_current_;
    position = position_;
  }
  std::lock_guard parts(parts_mu_);
  Poco::JSON::Object pipeline;
  for (const auto& [k, v] : pipeline_counters) pipeline.set(k, v);
  root.set("pipeline", pipeline);
  Poco::JSON::Object link;
  link.set("up", link_status.up);
  link.set("detail", link_status.detail);
  if (link_)
    for (const auto& [k, v] : link_->counters()) link.set(k, v);
  root.set("cad_link", link);
  Poco::JSON::Object gps;
  gps.set("port", gps_status.port);
  gps.set("connected", gps_status.connected);
  gps.set("stale", gps_status.stale);
  gps.set("detail", gps_status.detail);
  root.set("gps", gps);
  add_registry_sync_status(root);
  root.set("cache", cache_state);
  if (!cache_problem.empty()) root.set("cache_problem", cache_problem);
  if (cache_age_s) root.set("cache_age_s", *cache_age_s);
  if (cache_rules_current) root.set("cache_address_rules_current", *cache_rules_current);
  root.set("cache_max_age_h", config_.cache_max_age_h);
  if (running_) root.set("pipeline_idle_ms", steady_ms() - pipeline_alive_ms_.load());
  if (position) {
    // Rounded to about 100 m: enough for sunrise, and no more than a host needs.
    Poco::JSON::Object pos;
    pos.set("lat", std::round(position->lat * 1000) / 1000);
    pos.set("lon", std::round(position->lon * 1000) / 1000);
    root.set("position", pos);
  }
  if (storage_) {
    Poco::JSON::Object storage;
    for (const auto& [k, v] : storage_->counters()) storage.set(k, v);
    const auto link_fault = link_ ? link_->storage_fault() : std::nullopt;
    storage.set("link", link_fault ? *link_fault : std::string("ok"));
    root.set("storage", storage);
  }
  std::ostringstream out;
  root.stringify(out);
  return out.str();
}

}  // namespace mdtc::plugin
