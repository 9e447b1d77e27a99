// RegistrySync: the thread that owns the registry channel and the staging
// file. One cycle asks "what comes after the version I hold?", has each
// offered file it takes fetched and verified (registry_transfer.h), hands it
// to the owner's Apply callback and asks again, until the registry says "up
// to date". The socket and its framing are registry_channel.h's. Other
// threads reach it only through status() (a mutex-guarded snapshot),
// sync_now(), halt() and stop().
#include <Poco/Logger.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "client_socket.h"
#include "envelope.h"
#include "mdtc/registry_sync.h"
#include "registry_channel.h"
#include "registry_transfer.h"
#include "staging_cipher.h"
#include "sync_staging.h"

namespace mdtc::bridge {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// A registry that keeps offering files without ever saying "up to date" is
// broken; stop after this many offers in one cycle and try again later.
constexpr int kMaxFilesPerCycle = 1000;
// A file the registry answered `gone` for and then offered again is fetched
// again at most this often in one cycle: a registry that answers `gone` to
// every fetch had the unit reconnect and refetch a thousand times in a few
// seconds, with no backoff.
constexpr int kMaxGonePerFile = 3;
// A file that fails verification this many times in a row is not fetched
// again in this run. Once may be a transfer fault (a byte flipped on the
// way), so it is fetched afresh; twice, the registry's bytes do not match
// the SHA-256 it offers, and every further fetch is the whole file again
// for nothing: a 745 MB snapshot every interval, on every car.
constexpr int kVerifyFailuresToSkip = 2;
constexpr const char* kNotFetchedAgain = "; not fetched again until the registry offers another file";
// The background sync thread's nice value (0 is the plugin's other threads).
constexpr int kBackgroundNice = 10;

// The cache refusing the file itself, as opposed to the cache being
// unavailable.
bool file_refused(const Error& e) { return e.code.rfind("registry.", 0) == 0; }

enum class Outcome { current, applied, again, gone, rejected, failed, aborted };

// What identifies the stream fetched: the same file in another encoding is
// another stream, which the registry may still serve.
std::string stream_key(const SyncMessage& offer) {
  return offer.sha256 + "/" + offer.encoding + "/" + offer.wire_sha256;
}

}  // namespace

struct RegistrySync::Impl {
  RegistrySyncOptions opt;
  CurrentVersion current;
  Apply apply;
  Confirm confirm;
  StatusHandler on_status;
  Poco::Logger& log = Poco::Logger::get("mdtc.registry");

  // Shared, under mu.
  mutable std::mutex mu;
  std::condition_variable cv;
  RegistrySyncStatus st;
  bool wake = false;
  bool applying = false;
  bool thread_running = false;
  bool halt_done = false;
  std::string halt_reason;
  std::atomic<bool> stopping{false};
  std::atomic<bool> halted{false};
  std::thread thread;
  bool started = false;

  // The sync thread (or run_once's caller) only.
  std::unique_ptr<RegistryChannel> channel;
  std::unique_ptr<SyncStaging> staging;
  // Files refused in this run, by SHA-256: why, and the version the cache
  // held then. A file is skipped only while the cache still holds that
  // version: a delta refused because it did not fit the cache then may be
  // the very one it needs once a snapshot has come in between.
  struct Refusal {
    Error why;
    std::optional<int64_t> held;
  };
  std::map<std::string, Refusal> refused;
  // The file (by SHA-256) whose last fetches failed verification, and how
  // many in a row; any file applied, or another failing, starts it again.
  struct VerifyStreak {
    std::string sha256;
    int times = 0;
  } verify_streak;
  // Files that failed verification kVerifyFailuresToSkip times in a row, by
  // SHA-256: what happened, in words. Unlike a refusal this does not
  // depend on what the cache holds (the bytes do not match their hash
  // whatever it holds), so only another file, a restart or a wipe clears it.
  std::map<std::string, std::string> unverifiable;
  // Set when a delta was refused: the next ask is for a snapshot.
  bool want_snapshot = false;
  // After a file came in zstd that would not decompress, the rest of this
  // run asks for files as written: slower, never stuck.
  bool identity_only = false;
  int failures = 0;  // consecutive, for the backoff
  std::mt19937 rng{std::random_device{}()};
  std::shared_ptr<const TimeSource> time;  // opt.time, or the steady clock

  // --- status ---------------------------------------------------------------

  template <class F>
  void update(F&& change, bool report = true) {
    RegistrySyncStatus copy;
    {
      std::lock_guard lock(mu);
      change(st);
      if (!report) return;
      copy = st;
    }
    if (on_status) {
      try {
        on_status(copy);
      } catch (...) {
        std::lock_guard lock(mu);
        ++st.counters["handler_errors"];
      }
    }
  }

  void bump(const std::string& name, uint64_t by = 1) {
    std::lock_guard lock(mu);
    st.counters[name] += by;
  }

  void set_state(const std::string& state) {
    bool changed = false;
    {
      std::lock_guard lock(mu);
      changed = st.state != state;
    }
    if (changed) update([&](RegistrySyncStatus& s) { s.state = state; });
  }

  Outcome fail(const std::string& code, const std::string& message) {
    log.warning("registry sync: %s", message);
    update([&](RegistrySyncStatus& s) {
      s.state = "failed";
      s.last_error = message;
      s.last_error_code = code;
    });
    return Outcome::failed;
  }

  Outcome fail(const Error& e) { return fail(e.code, e.message); }

  // Logged, and kept for whoever reads the status without the log.
  void warn(const std::string& sentence) {
    log.warning("registry sync: %s", sentence);
    update([&](RegistrySyncStatus& s) {
      s.warnings.push_back(sentence);
      if (s.warnings.size() > kMaxSyncWarnings)
        s.warnings.erase(s.warnings.begin(), s.warnings.end() - kMaxSyncWarnings);
    }, false);
  }

  // --- one cycle ------------------------------------------------------------

  RegistrySync::Holding holding() {
    try {
      return current ? current() : RegistrySync::Holding{};
    } catch (...) {
      bump("handler_errors");
      return {};
    }
  }
  std::optional<int64_t> held_version() { return holding().version; }

  Outcome cycle() {
    // A cache that wants a snapshot though it could take deltas asks for one
    // once a cycle; when the newest is older than the cache, deltas go on.
    bool rules_snapshot_asked = false;
    // A snapshot asked for after a refused delta was older than the cache
    // (or there was none): the rest of the cycle asks for the next file, so
    // a delta the registry republished corrected is taken, and the same
    // one is skipped with the refusal named.
    std::string snapshot_declined;
    std::map<std::string, int> gone;  // times answered gone in this cycle, by stream
    for (int files = 0; files < kMaxFilesPerCycle; ++files) {
      if (!channel->is_open()) {
        set_state("connecting");
        if (auto r = channel->open(); !r) return fail(r.error());
      }
      const RegistrySync::Holding held = holding();
      const auto have = held.version;
      const bool rules_snapshot = have && held.wants_snapshot && !want_snapshot && !rules_snapshot_asked;
      update([&](RegistrySyncStatus& s) {
        s.version = have;
        s.state = "checking";
      });
      SyncMessage ask;
      ask.type = "sync";
      ask.req = channel->new_req();
      ask.unit = opt.identity;
      ask.have = have;
      const bool refusal_snapshot = want_snapshot && snapshot_declined.empty();
      ask.want = (refusal_snapshot || !have || rules_snapshot) ? "snapshot" : "next";
      ask.accept_encoding = accepted();
      if (auto r = channel->send(ask); !r) {
        channel->reconnect_later();
        return fail(r.error());
      }
      auto reply = channel->await([&](const std::string& req) { return req == ask.req; });
      if (!reply) return lost(reply.error());
      const SyncMessage& m = reply->msg;
      if (m.type == "up_to_date") return up_to_date(m, have);
      if (m.type == "error") {
        const Error e = channel->refusal(m);
        if (refusal_snapshot && have && !rules_snapshot &&
            (m.code == "no_snapshot" || m.code == "no_path" || m.code == "empty")) {
          snapshot_declined = "the registry has no snapshot for it (" + e.message + ")";
          continue;
        }
        return fail(e);
      }
      if (m.type != "offer") {
        bump("dropped.unexpected_reply");
        channel->reconnect_later();
        return fail("sync.protocol", "registry " + opt.endpoint + " answered a sync with " + m.type);
      }
      bump("offers");
      if (ask.want == "snapshot" && have && m.mode == "snapshot" && m.version < *have) {
        // The newest snapshot is older than the cache: the cache would
        // refuse it after the download. Asked for to re-read the premises,
        // it waits for a newer one while the deltas go on; asked for because
        // a delta was refused, the cycle asks for the next file again: a
        // corrected delta is taken, the refused one is skipped and named.
        // Only the first is counted in snapshots_older_than_cache.
        if (rules_snapshot) {
          bump("snapshots_older_than_cache");
          rules_snapshot_asked = true;
          continue;
        }
        snapshot_declined = "the registry offers no snapshot newer than the cache (snapshot version " +
                            std::to_string(m.version) + "; the cache holds version " + std::to_string(*have) + ")";
        continue;
      }
      if (ask.want == "next" && have && m.version <= *have) {
        // Asked for what follows version H and offered H or older: a
        // confused registry. Fetched, a snapshot of H was applied again and
        // again (the whole file rewritten each time, the cache confirmed
        // fresh by a registry in a loop); an older one was refused after
        // the download. Neither is fetched, and nothing is confirmed.
        bump("offers_not_newer");
        return fail("sync.registry_repeats",
                    "registry " + opt.endpoint + " offered " + m.mode + " version " + std::to_string(m.version) +
                        " to a unit that holds version " + std::to_string(*have) +
                        " and asked for the next; nothing fetched, the cache is not confirmed fresh");
      }
      const std::string what = m.mode + " version " + std::to_string(m.version);
      if (auto g = gone.find(stream_key(m)); g != gone.end() && g->second >= kMaxGonePerFile) {
        channel->reconnect_later();
        return fail("sync.registry_gone",
                    "registry " + opt.endpoint + " offered " + what + " again after answering gone for it " +
                        std::to_string(g->second) + " times in this sync; not fetched again until the next attempt");
      }
      const Outcome o = fetch_and_apply(m, snapshot_declined);
      if (o == Outcome::gone) {
        ++gone[stream_key(m)];
        continue;
      }
      if (o != Outcome::applied && o != Outcome::again) return o;
    }
    return fail("sync.endless", "registry " + opt.endpoint + " answered " + std::to_string(kMaxFilesPerCycle) +
                                    " requests in one sync with offers and never said up to date");
  }

  // The staged file is of no more use (applied, refused, gone, failed
  // verification, or given back for space): its files go, and the status
  // stops showing a transfer that no longer exists.
  void discard_transfer() {
    staging->discard();
    update([](RegistrySyncStatus& s) {
      s.transfer_version = 0;
      s.transfer_mode.clear();
      s.transfer_bytes = s.transfer_total = 0;
    }, false);
  }

  // What a sync advertises (docs/protocol.md, "Encodings").
  std::vector<std::string> accepted() const {
    if (!identity_only) return opt.accept_encodings;
    // Said, not left out: a registry then knows this unit asked for identity.
    if (opt.accept_encodings.empty()) return {};
    return {kIdentityEncoding};
  }

  bool takes(const std::string& encoding) const {
    if (encoding == kIdentityEncoding) return true;  // always understood
    const auto acc = accepted();
    return std::find(acc.begin(), acc.end(), encoding) != acc.end();
  }

  // A reply that never came (RegistryChannel::await's errors).
  Outcome lost(const Error& e) {
    channel->lost(e);
    return e.code == "sync.aborted" ? Outcome::aborted : fail(e);
  }

  Outcome up_to_date(const SyncMessage& m, const std::optional<int64_t>& have) {
    bump("up_to_date");
    // Nothing comes after what the cache holds, so whatever is staged is a
    // file already applied (the run was stopped between the import's commit
    // and its clean-up: kill -9, power lost) or one no longer offered. It
    // goes now, with its key, as it would have after the import; else a
    // sealed copy of the registry and the key to it stay beside the cache
    // until the registry publishes again.
    staging->discard();
    if (!have) {
      // This unit asked for a snapshot: "up to date" confirms nothing it
      // holds, and the panel goes on saying the flags are unavailable.
      bump("up_to_date_without_snapshot");
      return fail("sync.no_snapshot", "the registry says it is up to date at version " + std::to_string(m.version) +
                                          ", but this unit holds no registry snapshot and asked for one");
    }
    if (m.version != *have) {
      // Only a registry at this unit's own version confirms its data. One
      // behind it went back in time (restored from a backup?): flags it
      // publishes under versions this unit already passed never come, so
      // its word must not make old data look fresh. One ahead of it that
      // says "up to date" contradicts itself. Either way the panel's age
      // keeps counting and the status says why.
      const bool behind = m.version < *have;
      bump(behind ? "registry_behind" : "registry_ahead");
      const std::string said = "the registry says it is up to date at version " + std::to_string(m.version) +
                               ", but this unit holds version " + std::to_string(*have);
      return fail(behind ? "sync.registry_behind" : "sync.registry_ahead",
                  said + (behind ? ": the registry went back (restored from a backup?); its files are not taken and "
                                   "the cache is not confirmed fresh until it publishes past " +
                                       std::to_string(*have)
                                 : ": it contradicts itself; the cache is not confirmed fresh"));
    }
    if (confirm) {
      // Guarded like an import: halt() waits for it, and it never runs after.
      bool go = false;
      {
        std::lock_guard lock(mu);
        go = !halted && !stopping;
        applying = go;
      }
      if (go) {
        try {
          confirm(m.version);
        } catch (...) {
          bump("handler_errors");
        }
        {
          std::lock_guard lock(mu);
          applying = false;
        }
        cv.notify_all();
      }
    }
    failures = 0;
    update([&](RegistrySyncStatus& s) {
      s.state = "current";
      s.registry_version = m.version;
      s.last_success = rfc3339_now();
      s.last_error.clear();
      s.last_error_code.clear();
      s.transfer_version = 0;
      s.transfer_mode.clear();
      s.transfer_bytes = s.transfer_total = 0;
    });
    return Outcome::current;
  }

  // `declined`: why a snapshot wanted after a refusal was not taken in this
  // cycle, said when the refused file is skipped; empty otherwise.
  Outcome fetch_and_apply(const SyncMessage& offer, const std::string& declined) {
    const std::string what = offer.mode + " version " + std::to_string(offer.version);
    update([&](RegistrySyncStatus& s) { s.registry_version = std::max(s.registry_version.value_or(0), offer.version); },
           false);
    if (auto it = refused.find(offer.sha256); it != refused.end()) {
      if (it->second.held != held_version()) {
        refused.erase(it);  // the cache has moved since: judged again
      } else {
        bump("refused_skipped");
        const Error& why = it->second.why;
        update([&](RegistrySyncStatus& s) {
          s.state = "rejected";
          s.last_error = what + " was refused (" + why.code + ": " + why.message + ")" +
                         (declined.empty() ? "" : "; " + declined) +
                         "; not fetched again: waiting for the registry to publish another file";
          s.last_error_code = why.code;
        });
        log.error("registry sync: %s", what + " is the file the cache refused (" + why.code + "); not fetched");
        return Outcome::rejected;
      }
    }
    if (auto it = unverifiable.find(offer.sha256); it != unverifiable.end()) {
      bump("verify_skipped");
      const std::string sentence = it->second + (declined.empty() ? "" : "; " + declined) + kNotFetchedAgain;
      update([&](RegistrySyncStatus& s) {
        s.state = "rejected";
        s.last_error = sentence;
        s.last_error_code = "sync.verify_failed";
      });
      log.error("registry sync: %s", what + " failed verification twice before; not fetched");
      return Outcome::rejected;
    }
    if (!takes(offer.encoding)) {
      // Not asked for: this unit cannot read it. A registry bug, counted.
      bump("bad_encoding");
      channel->reconnect_later();
      return fail("sync.bad_encoding", "registry " + opt.endpoint + " offered " + what + " in encoding \"" +
                                           offer.encoding + "\", which this unit did not ask for");
    }
    const uint64_t size = std::max(offer.total, offer.content_total);
    if (opt.max_file_bytes && size > opt.max_file_bytes) {
      const Error e = make_error("sync.too_large", what + " is " + std::to_string(size) +
                                                       " bytes: more than the limit of " +
                                                       std::to_string(opt.max_file_bytes));
      refused[offer.sha256] = {e, held_version()};
      bump("files_rejected");
      update([&](RegistrySyncStatus& s) {
        s.state = "rejected";
        s.last_error = e.message;
        s.last_error_code = e.code;
      });
      log.error("registry sync: %s is larger than the limit", what);
      return Outcome::rejected;
    }

    if (auto room = check_space(offer, what); room != Outcome::applied) return room;

    const TransferHooks hooks{
        [this](const std::string& name, uint64_t by) { bump(name, by); },
        [this](const std::string& sentence) { warn(sentence); },
        [&](uint64_t held) {
          update([&](RegistrySyncStatus& s) {
            s.state = "transferring";
            s.transfer_version = offer.version;
            s.transfer_mode = offer.mode;
            s.transfer_bytes = held;
            s.transfer_total = offer.total;
          });
        },
        [&](uint64_t held) { update([&](RegistrySyncStatus& s) { s.transfer_bytes = held; }, false); }};
    auto staged = fetch_staged(offer, what, opt, *channel, *staging, hooks, log);
    if (!staged) {
      if (staged.error().code == "sync.aborted") return Outcome::aborted;
      if (staged.error().code == "sync.gone") {
        discard_transfer();
        return Outcome::gone;
      }
      if (staged.error().code == "sync.no_space") return filled_up(offer, what, staged.error());
      return fail(staged.error());
    }
    return apply_staged(offer, what);
  }

  // Before a byte is fetched (or resumed): the rest of the file, sealed,
  // and the import's growth must fit with min_free_bytes left over, or the
  // offer waits and the cache stays as it is. Outcome::applied means "go on".
  Outcome check_space(const SyncMessage& offer, const std::string& what) {
    auto space = sync_space(opt, offer);
    if (!space) return fail(space.error());
    if (space->fits()) return Outcome::applied;
    bump("no_space");
    std::string dropped;
    if (space->drop_held() || space->stale > 0) {
      // Kept, the held bytes would keep the outbox and the journal short of
      // their reserve until the disk is freed; staged bytes of another file
      // are no use in any case. The rest of the device comes first.
      const uint64_t freed = space->drop_held() ? space->held : space->stale;
      discard_transfer();
      bump("no_space_dropped");
      dropped = "; the " + mib_words(freed) + " staged in " + staging->part_path() + " were deleted";
    } else if (space->held > 0) {
      dropped = "; the " + mib_words(space->held) + " already staged in " + staging->part_path() +
                " are kept to resume";
    }
    const std::string dir = std::filesystem::path(opt.staging_path).parent_path().string();
    const uint64_t short_by = space->needed() + space->reserve - space->free - space->stale;
    return fail("sync.no_space",
                what + " (" + std::to_string(offer.total) + " bytes) does not fit on the cache's disk: it " +
                    sync_space_words(*space) + dropped + ". Not fetched; the cache keeps what it holds. Free " +
                    mib_words(short_by) + " on the file system that holds " + (dir.empty() ? "." : dir) +
                    " (old logs, reset copies of the cache, other files), then sync again");
  }

  // The disk filled up under the transfer (something else wrote, or the
  // estimate was short): fetch_staged deleted what was staged.
  Outcome filled_up(const SyncMessage& offer, const std::string& what, const Error& e) {
    discard_transfer();  // fetch_staged deleted the files; the status follows
    bump("no_space");
    bump("no_space_dropped");
    std::string numbers;
    if (auto space = sync_space(opt, offer)) numbers = "; it " + sync_space_words(*space);
    return fail("sync.no_space", what + " filled the cache's disk while it was fetched (" + e.message +
                                     "); what was staged was deleted to give the space back" + numbers +
                                     ". The cache keeps what it holds; free space on that file system, then "
                                     "sync again");
  }

  // The staged file goes to the owner's Apply a record at a time, decrypted
  // and hashed as it is read; the import commits only once the reader says
  // the whole file matched the offer's SHA-256.
  Outcome apply_staged(const SyncMessage& offer, const std::string& what) {
    {
      std::lock_guard lock(mu);
      if (halted || stopping) return Outcome::aborted;
      applying = true;
      st.state = "applying";
    }
    update([](RegistrySyncStatus&) {});
    Status r = Ok{};
    try {
      auto reader = staging->reader();
      if (!reader) r = reader.error();
      else if (!apply) r = make_error("sync.config", "nothing to apply registry files to");
      else if (offer.encoding == kZstdEncoding) {
        // Staging -> decrypt -> decompress -> the import; the hash the
        // import waits for is over what it imports.
        auto plain = zstd_decoding_source(**reader, offer.sha256, offer.content_total);
        r = apply(*plain, offer.version, offer.mode);
      } else r = apply(**reader, offer.version, offer.mode);
    } catch (const std::exception& e) {
      r = make_error("sync.apply_failed", std::string("applying ") + what + " threw: " + e.what());
    }
    {
      std::lock_guard lock(mu);
      applying = false;
    }
    cv.notify_all();
    if (!r && r.error().code == "sync.verify_failed") return verify_failed(offer, what, r.error());
    if (!r && r.error().code == "sync.bad_encoding") {
      // The bytes are the ones sent (their wire SHA-256 matched), and they
      // are not zstd: refetching them would fail again. Nothing was
      // committed; the rest of this run asks for files as written, starting
      // now, so a broken compressor slows a sync (cache sync's one run too)
      // and never stops it.
      bump("bad_encoding");
      discard_transfer();
      identity_only = true;
      warn(what + " from " + opt.endpoint + " could not be decompressed (" + r.error().message +
           "); discarded, asking for it uncompressed");
      return Outcome::again;
    }
    if (r) {
      discard_transfer();
      verify_streak = {};
      bump("files_applied");
      bump(offer.mode == "snapshot" ? "snapshots_applied" : "deltas_applied");
      // Any file taken moves the cache on: the delta refused before no
      // longer decides what to ask for (it is judged again if offered).
      want_snapshot = false;
      log.information("registry sync: applied %s (%s bytes)", what, std::to_string(offer.total));
      return Outcome::applied;
    }
    if (file_refused(r.error())) {
      // Never fetched again in this run, so a bad file cannot make the unit
      // loop on it; a delta that does not fit asks for a snapshot next.
      refused[offer.sha256] = {r.error(), held_version()};
      discard_transfer();
      bump("files_rejected");
      const bool delta = offer.mode == "delta";
      if (delta) want_snapshot = true;
      log.error("registry sync: the cache refused %s: %s", what, r.error().code);
      update([&](RegistrySyncStatus& s) {
        if (!delta) s.state = "rejected";  // a delta goes on to ask for a snapshot
        s.last_error = "the cache refused " + what + ": " + r.error().message;
        s.last_error_code = r.error().code;
      });
      return delta ? Outcome::again : Outcome::rejected;
    }
    bump("apply_failures");
    return fail(r.error().code, "could not apply " + what + " (kept, will retry): " + r.error().message);
  }

  // Not the file offered (or a staged record altered on disk): nothing of
  // it was committed and its staging goes. The first time it is fetched
  // afresh after the backoff; the second time in a row it is remembered
  // and not fetched again until the registry offers another file.
  Outcome verify_failed(const SyncMessage& offer, const std::string& what, const Error& e) {
    bump("verify_failures");
    discard_transfer();
    if (verify_streak.sha256 != offer.sha256) verify_streak = {offer.sha256, 0};
    if (++verify_streak.times < kVerifyFailuresToSkip)
      return fail("sync.verify_failed", what + " from " + opt.endpoint + " failed verification (" + e.message +
                                            "); discarded, it will be fetched again");
    static_assert(kVerifyFailuresToSkip == 2, "the sentence says twice");
    const std::string why = what + " from " + opt.endpoint +
                            " failed verification twice (the registry's bytes do not match the SHA-256 it "
                            "offered; last: " +
                            e.message + ")";
    unverifiable[offer.sha256] = why;
    const std::string sentence = why + kNotFetchedAgain;
    verify_streak = {};
    log.error("registry sync: %s", sentence);
    update([&](RegistrySyncStatus& s) {
      s.state = "rejected";
      s.last_error = sentence;
      s.last_error_code = "sync.verify_failed";
    });
    return Outcome::rejected;
  }

  // --- the thread -----------------------------------------------------------

  Clock::duration backoff() {
    ++failures;
    int64_t ms = opt.backoff_initial_ms;
    for (int i = 1; i < failures && ms < opt.backoff_max_ms; ++i) ms *= 2;
    ms = std::min<int64_t>({ms, opt.backoff_max_ms, int64_t{opt.interval_s} * 1000});
    // Spread a fleet's retries after a registry outage.
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(ms) * jitter(rng)));
  }

  void settle_halt() {
    staging->discard();
    refused.clear();
    unverifiable.clear();
    verify_streak = {};
    want_snapshot = false;
    channel->close();
    {
      std::lock_guard lock(mu);
      st.state = "halted";
      st.last_error = halt_reason;
      st.last_error_code = "sync.halted";
      st.transfer_bytes = st.transfer_total = 0;
      halt_done = true;
    }
    cv.notify_all();
    update([](RegistrySyncStatus&) {});
  }

  void run() {
    while (!stopping) {
      if (halted) {
        settle_halt();
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping.load(); });
        break;
      }
      Outcome o = cycle();
      if (halted || stopping) continue;
      Clock::duration delay{};
      if (o == Outcome::failed) {
        delay = backoff();
      } else if (o == Outcome::current || o == Outcome::rejected) {
        failures = 0;
        delay = std::chrono::seconds(opt.interval_s);
      }
      // The wait is measured on `time`: a slice at a time, so that time a
      // test moves is noticed; the steady clock's slice is the whole wait.
      const auto due = time->now() + delay;
      std::unique_lock lock(mu);
      while (!(stopping || halted || wake) && time->now() < due)
        cv.wait_for(lock, time->wait_slice(due), [&] { return stopping || halted || wake; });
      wake = false;
    }
    channel->close();
    if (!halted) staging->close();
    update([](RegistrySyncStatus& s) {
      if (s.state != "halted") s.state = "stopped";
    });
  }

  Status validate() const {
    if (opt.endpoint.empty()) return make_error("sync.config", "registry endpoint is empty");
    if (!valid_routing_id(opt.identity))
      return make_error("sync.config", "registry identity \"" + opt.identity +
                                           "\": expected 1-64 letters, digits, '-' or '_'");
    if (!CurveClientKeys{opt.server_public_key, opt.client_public_key, opt.client_secret_key}.complete())
      return make_error("sync.config",
                        "registry CURVE keys: expected 40-character Z85 server public, client public and "
                        "client secret keys");
    if (opt.staging_path.empty()) return make_error("sync.config", "registry staging path is empty");
    if (opt.interval_s <= 0 || opt.request_timeout_ms <= 0 || opt.backoff_initial_ms <= 0 ||
        opt.backoff_max_ms < opt.backoff_initial_ms)
      return make_error("sync.config", "registry sync timings must be positive (interval " +
                                           std::to_string(opt.interval_s) + " s, timeout " +
                                           std::to_string(opt.request_timeout_ms) + " ms)");
    if (opt.chunk_bytes == 0 || opt.chunk_bytes > kMaxChunkBytes || opt.window <= 0)
      return make_error("sync.config", "registry chunk_bytes = " + std::to_string(opt.chunk_bytes) +
                                           ": expected 1 to " + std::to_string(kMaxChunkBytes));
    for (const auto& e : opt.accept_encodings)
      if (e != kZstdEncoding && e != kIdentityEncoding)
        return make_error("sync.config", "registry accept_encodings names \"" + e + "\": expected zstd or identity");
    return Ok{};
  }
};

RegistrySync::RegistrySync(RegistrySyncOptions options, CurrentVersion current, Apply apply,
                           Confirm confirm, StatusHandler on_status)
    : impl_(std::make_unique<Impl>()) {
  auto& d = *impl_;
  d.opt = std::move(options);
  d.current = std::move(current);
  d.apply = std::move(apply);
  d.confirm = std::move(confirm);
  d.on_status = std::move(on_status);
  d.time = d.opt.time ? d.opt.time : steady_time();
  d.channel = std::make_unique<RegistryChannel>(
      d.opt, *d.time, [&d](const std::string& name, uint64_t by) { d.bump(name, by); },
      [&d] { return d.stopping || d.halted; }, d.log);
  d.staging = std::make_unique<SyncStaging>(d.opt.staging_path);
  for (const char* name : {"requests", "replies", "offers", "up_to_date", "transfers", "transfers_resumed",
                           "chunks", "bytes_fetched", "bytes_resumed", "files_applied", "files_rejected",
                           "refused_skipped", "up_to_date_without_snapshot", "offers_not_newer", "snapshots_older_than_cache", "verify_failures", "verify_skipped", "apply_failures", "staging_discarded",
                           "staging_chunks_rejected", "no_space", "no_space_dropped", "bad_encoding", "timeouts",
                           "reconnects", "handshake_failures", "registry_errors", "registry_behind",
                           "registry_ahead", "snapshots_applied", "deltas_applied", "transfers_gone",
                           "handler_errors"})
    // Every documented counter is there from the start, so monitoring can
    // read a key without first seeing it happen.
    d.st.counters[name] = 0;
}

RegistrySync::~RegistrySync() { stop(); }

Status RegistrySync::start() {
  auto& d = *impl_;
  if (d.started) return Ok{};
  if (auto v = d.validate(); !v) return v;
  d.stopping = false;
  d.started = true;
  {
    std::lock_guard lock(d.mu);
    d.thread_running = true;
  }
  d.thread = std::thread([&d] {
    // A background sync yields the CPU to dispatches: on a two-core laptop
    // an import that ran at the pipeline's priority held a core for whole
    // scheduler slices while a dispatch waited for one. Its import's parser
    // thread, started from here, inherits this. Raising one's own nice value
    // needs no privilege; if refused, the sync runs as before.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kBackgroundNice);
    d.run();
    {
      std::lock_guard lock(d.mu);
      d.thread_running = false;
    }
    d.cv.notify_all();
  });
  return Ok{};
}

void RegistrySync::stop() {
  auto& d = *impl_;
  if (!d.started) return;
  {
    std::lock_guard lock(d.mu);
    d.stopping = true;
  }
  d.cv.notify_all();
  if (d.thread.joinable()) d.thread.join();
  d.started = false;
}

void RegistrySync::sync_now() {
  auto& d = *impl_;
  {
    std::lock_guard lock(d.mu);
    d.wake = true;
  }
  d.cv.notify_all();
}

void RegistrySync::halt(const std::string& reason) {
  auto& d = *impl_;
  std::unique_lock lock(d.mu);
  d.halt_reason = reason;
  d.halted = true;
  d.cv.notify_all();
  if (d.thread_running) {
    // The thread notices within one tick, or once the import it is running
    // returns; then it deletes the staging files.
    d.cv.wait(lock, [&] { return d.halt_done || !d.thread_running; });
    if (d.halt_done) return;
  }
  lock.unlock();
  d.settle_halt();
}

RegistrySyncStatus RegistrySync::run_once(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (d.started) {
    auto s = status();
    s.last_error = "run_once: the background sync is running";
    s.last_error_code = "sync.busy";
    return s;
  }
  if (auto v = d.validate(); !v) {
    d.fail(v.error());
    return status();
  }
  d.channel->overall_deadline = d.time->now() + timeout;
  const Outcome o = d.cycle();
  d.channel->overall_deadline = TimeSource::time_point::max();
  d.channel->close();
  d.staging->close();
  if (o == Outcome::aborted) d.fail("sync.aborted", "registry sync stopped");
  return status();
}

Result<SyncMessage> RegistrySync::probe(std::chrono::milliseconds timeout) {
  auto& d = *impl_;
  if (d.started) return make_error("sync.busy", "probe: the background sync is running");
  if (auto v = d.validate(); !v) return v.error();
  if (auto r = d.channel->open(); !r) return r.error();
  d.channel->overall_deadline = d.time->now() + timeout;
  SyncMessage ask;
  ask.type = "sync";
  ask.req = d.channel->new_req();
  ask.unit = d.opt.identity;
  ask.have = d.held_version();
  ask.want = ask.have ? "next" : "snapshot";
  ask.accept_encoding = d.accepted();
  Result<SyncMessage> answer = [&]() -> Result<SyncMessage> {
    if (auto sent = d.channel->send(ask); !sent) return sent.error();
    auto reply = d.channel->await([&](const std::string& req) { return req == ask.req; });
    if (!reply) return reply.error();
    return reply->msg;
  }();
  d.channel->overall_deadline = TimeSource::time_point::max();
  d.channel->close();
  return answer;
}

RegistrySyncStatus RegistrySync::status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->st;
}

RegistrySync::Standing RegistrySync::standing() const {
  std::lock_guard lock(impl_->mu);
  return {impl_->st.state, impl_->st.version, impl_->st.registry_version};
}

}  // namespace mdtc::bridge
