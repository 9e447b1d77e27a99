// The local flag cache: premises, subjects, safety/care/SUD flags and premise
// history imported from the flag registry (export v1), matched against CAD
// addresses. Notes, names and history are encrypted at rest; every flag
// returned for display is audited. A reader of this header need not know
// that SQLite is underneath.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mdtc/address.h"
#include "mdtc/byte_source.h"
#include "mdtc/civic_address.h"
#include "mdtc/location.h"
#include "mdtc/result.h"

namespace mdtc::cache {

// The schema this build creates and upgrades to (`mdt-coresponder version`).
inline constexpr int kSchemaVersion = 8;

enum class MatchLevel { exact, building, nearby, none };
enum class FlagKind { safety, care, sud };
enum class Audience { all, clinician };

const char* to_string(MatchLevel);
const char* to_string(FlagKind);
const char* to_string(Audience);

struct Premise {
  std::string id;
  std::string address;  // display form, normalized ("1208 N MAPLE ST APT 3B, SPRINGFIELD IL")
  std::optional<double> lat, lon;
  // From CAD's point, when the dispatch carried one and the premise has
  // coordinates (always set for nearby matches).
  std::optional<double> distance_m;
  // How this premise stands to the dispatch. One answer can hold premises at
  // different levels (a unit's record and a neighbour's), and a panel must
  // never show a neighbour's flags as "this address".
  MatchLevel level = MatchLevel::exact;
  // Why this premise is below exact, in words an officer reads at a glance
  // ("unit not given", "other unit in this building"); empty when exact.
  std::vector<std::string> reasons;
  std::string unit_display;  // "APT 1A": names the premise within its building
};

struct Subject {
  std::string id;
  std::string name;
  std::string born;
};

struct Flag {
  std::string id;
  std::string subject_id;  // may be empty (premise-only flag)
  std::string premise_id;
  FlagKind kind = FlagKind::care;
  std::string code;          // controlled vocabulary, e.g. "WEAPONS"
  std::string display_name;  // e.g. "Weapons"
  int severity = 0;          // 0 info .. 3 danger, from the vocabulary
  std::string note;
  Audience audience = Audience::all;
  std::string expires;    // YYYY-MM-DD or empty
  std::string validated;  // YYYY-MM-DD or empty
};

struct HistoryEntry {
  std::string premise_id;
  std::string incident;
  std::string at;  // RFC 3339
  std::string call_type;
  std::string disposition;
};

// What a lookup is given: the call's location as CAD sent it.
using AddressQuery = Location;

struct MatchOptions {
  double nearby_radius_m = 50;
  int history_lookback_days = 730;
  int revalidate_days = 365;
  // A text match whose premise lies farther than this from CAD's own point
  // is not exact (a wrong geocode, a same-name street in the next town).
  // 0 = no cross-check.
  double max_text_geo_gap_m = 300;
};

// Whether the answer can be trusted; "no flags" is only ever said when
// state == fresh or stale and level == none.
enum class Freshness { fresh, stale, unavailable };

// A last registry sync further ahead of the clock than this means the clock
// is behind (or was ahead at the sync): the cache's age cannot be told.
constexpr int64_t kClockBehindSlackS = 600;
inline constexpr std::string_view kClockBehindWords = "this laptop's clock reads before the last flag update";

struct MatchResult {
  MatchLevel level = MatchLevel::none;
  std::vector<Premise> premises;
  std::vector<Flag> flags;  // every audience; redaction is the panel's job
  std::vector<Subject> subjects;
  std::vector<HistoryEntry> history;
  Freshness freshness = Freshness::unavailable;
  std::optional<int64_t> age_s;  // seconds since the last successful import/sync
  std::string unavailable_reason;
  std::string normalized_address;  // what the query normalized to
  // Set with level == none when the query fits more than one building (a
  // missing directional, suffix or city): never guess, list who it might be.
  std::vector<std::string> ambiguous_candidates;
  // Why the answer is below exact (each premise's reasons, once each, in
  // order); empty for an exact answer and for "no flagged premise".
  std::vector<std::string> reasons;
  // CAD gave an address the normalizer could not read, and nothing was
  // found near CAD's point either: the flags were not checked. Never the
  // same as "no flagged premise"; reasons then says "address not understood".
  // Also set, with `corner`, for a corner and no point to look near, and
  // for a query with no address and no point at all ("no address given").
  bool unparsed = false;
  bool corner = false;  // the address was a corner ("MAPLE ST & OAK AVE") and CAD sent no point
  // Why a cache that is not old is stale anyway, in words for the panel
  // (e.g. the clock reads before the last registry sync by more than
  // kClockBehindSlackS: age_s is then unknown).
  std::string stale_reason;
};

struct ImportReport {
  std::string mode;  // "snapshot" or "delta"
  int64_t version = 0;
  int64_t lines = 0, premises = 0, subjects = 0, flags = 0, history = 0, deletes = 0;
  // Codes outside the vocabulary are stored and shown with a generic label
  // and the code ("Other safety flag (XYZ)"), never
  // rejected (a new code must not hide a weapon flag); they are counted here.
  int64_t unknown_codes = 0;
  std::vector<std::string> unknown_code_names;  // distinct, sorted
  std::vector<std::string> warnings;            // "FILE:LINE: ..." for accepted oddities
  // Premises no text lookup can find, each also a warning by id and line:
  // without a usable address (found only as nearby, by coordinates), and
  // whose address is only a corner ("MAIN ST & 1ST AVE": a corner is looked
  // up by coordinates only), of which `unfindable` have no coordinates
  // either and can never match at all.
  int64_t coordinates_only = 0, corners = 0, unfindable = 0;
  int64_t flags_held = 0;    // flags in the cache after the import (rows, not lines)
  int64_t flags_lapsed = 0;  // flags that came past expires or re-validation, not kept
  bool freshness_moved = false;  // whether the import counts as hearing from the registry
};

struct ImportOptions {
  // Export v1 files from before completeness (no header counts, no trailer,
  // or no header at all) are applied only when asked: a fleet moving over.
  bool legacy = false;
  // What the registry offered the file as (a sync): a header that says
  // otherwise is refused (registry.offer_mismatch), or the sync's report and
  // counters would name another file than the one applied.
  std::string offered_mode = {};
  std::optional<int64_t> offered_version = {};
  // A snapshot removing more than OpenOptions::max_snapshot_shrink_pct of
  // the flags is refused unless this is set.
  bool allow_shrink = false;
};

// What premises stored under address rules `stored` (Stats::address_rules)
// mean for lookups when they are not this build's: "premises read under
// address rules 9, older than this build's 10: ...".
std::string address_rules_problem(const std::string& stored);

struct Stats {
  int schema_version = 0;
  int64_t premises = 0, subjects = 0, flags = 0, history = 0, audit_records = 0;
  int64_t registry_version = 0;
  std::string last_sync;  // RFC 3339 or empty
  std::optional<int64_t> age_s;
  std::string last_mode;          // "snapshot" or "delta" of the last import
  bool holds_snapshot = false;    // a complete snapshot was applied: lookups can answer
  bool address_rules_current = false;  // premises normalized with this build's rules (kAddressRulesVersion)
  std::string address_rules;           // the rules version recorded with them, as stored ("1": none recorded)
  int64_t unknown_codes = 0;      // flags stored with a code outside the vocabulary
  std::string db_path, key_path, audit_path;
  std::string recovered_from;     // set when a corrupt file was moved aside on open
  std::string audit_recovered_from;  // the same for the audit file (a new chain began)
  // Set when the audit file is not the chain this cache began (missing,
  // replaced, moved aside as corrupt, or not openable): flags still show,
  // the record of what was shown is broken. Cheap; verify() walks the chain.
  std::string audit_problem;
  int64_t import_rejects = 0;     // registry files rejected, ever
  std::string last_reject;        // "FILE:LINE: reason" of the latest
  int64_t unparsed_queries = 0;   // match() addresses that did not normalize, since open
};

struct OpenOptions {
  std::string db_path;
  std::string key_path;      // empty = db_path + ".key"; created 0600 if missing
  bool create_if_missing = true;
  int max_age_h = 24;        // older caches answer Freshness::stale
  // Used by the purge that runs on open and by imports; keep equal to
  // MatchOptions'. Unset (a CLI run given no car config): the car's period
  // is not known, so only flags past `expires` are deleted.
  std::optional<int> revalidate_days = 365;
  bool purge_on_open = true;  // off for `cache purge`, which reports what it deletes
  // (alias, place) pairs: other names CAD uses for the premises' cities
  // (config cache.place_aliases); the cities themselves are known from the data.
  std::vector<std::pair<std::string, std::string>> place_aliases = {};
  int max_snapshot_shrink_pct = 50;  // a snapshot removing more of the flags is refused
  // Opens without writing anything: no key or file created, no migration,
  // no purge, no recovery (doctor, stats, match, verify). A file that needs
  // any of those fails to open instead.
  bool read_only = false;
};

struct AuditEntry {
  std::string unit, user, incident;
  std::vector<std::string> flag_ids;
  // When the flags were shown (unix seconds); empty = now. A record held
  // while the disk was full is written later with the time it happened.
  std::optional<int64_t> at = {};
};

// One audit record as read back, with what the cache still knows of each
// flag (a flag purged or deleted since has only its id).
struct AuditRecord {
  int64_t seq = 0;
  std::string at;  // RFC 3339 UTC: when the flags were shown
  std::string unit, user, incident;
  struct ShownFlag {
    std::string id;
    std::optional<std::string> code, kind, audience;  // empty: no longer in the cache
  };
  std::vector<ShownFlag> flags;
};

// Which records to read; every field empty = all. Times are RFC 3339 or
// YYYY-MM-DD (UTC), compared as text with the records' own.
struct AuditQuery {
  std::string incident, unit, since, until;
};

// The audit chain's file beside the cache (PATH.audit, with its own -wal and
// -shm): erase it with the cache; a reset leaves it, and the new cache
// carries the chain on.
std::string audit_log_path(const std::string& db_path);

// Thread-safe. match() reads through its own connection: it never waits for
// an import running on another thread and sees the data before or after it.
class Cache {
 public:
  static Result<Cache> open(const OpenOptions& options);
  // Moves the database and its -wal and -shm aside as PATH.reset-<UTC time>
  // and keeps the key and the audit file, so the next import or sync starts
  // an empty cache that carries the same audit chain on: the remedy for a
  // corrupt file. Returns where the database went.
  static Result<std::string> reset(const OpenOptions& options);
  Cache(Cache&&) noexcept;
  Cache& operator=(Cache&&) noexcept;
  ~Cache();

  // Registry export v1 (JSON Lines). A snapshot replaces everything in one
  // transaction; a delta applies on top. A bad line, a file that does not
  // prove it is whole (header counts, trailer, SHA-256), a duplicate id, a
  // delta on a version the cache does not hold, or an unasked-for shrink
  // rejects the whole file (docs/registry-format.md lists the codes).
  Result<ImportReport> import_file(const std::string& path, const ImportOptions& options = {});
  Result<ImportReport> import_text(std::string_view text, const std::string& origin,
                                   const ImportOptions& options = {});
  // The same, read from `source` a piece at a time (both above are this):
  // memory holds a few batches of records, never the file. Before the
  // commit, once every byte has been read, source.verify() must say yes
  // (its error is returned otherwise, whatever the file held), then the
  // file must prove it is whole. On an error found earlier the rest is
  // still read, so that those two judge first. rewind() is used only to
  // name the line of a duplicate id or dangling reference.
  Result<ImportReport> import_stream(ByteSource& source, const std::string& origin,
                                     const ImportOptions& options = {});

  // Never throws; a corrupt or missing database answers Freshness::unavailable.
  MatchResult match(const AddressQuery& query, const MatchOptions& options = {});

  // One hash-chained audit record for flags shown on a panel, in the audit
  // file (audit_log_path): it never waits for an import, and a lookup keeps
  // its pages.
  Status audit(const AuditEntry& entry);
  // The records that match `query`, in chain order: which flags a unit
  // showed for a call, and when (an internal-affairs question).
  Result<std::vector<AuditRecord>> audit_records(const AuditQuery& query);

  // The registry version held, or empty when the cache holds no complete
  // snapshot (then the registry must send one).
  // Cheap: the sync asks it often.
  std::optional<int64_t> synced_version();
  // A cache that holds a registry version but wants the whole registry
  // again: its premises were normalized with older address rules
  // (kAddressRulesVersion). A registry sync asks for a snapshot first, and
  // takes deltas meanwhile while the newest snapshot is older than the cache.
  bool wants_snapshot();
  // The registry said the cache is current: freshness counts from now.
  // Changes nothing else (version, last mode and data stay as they are).
  Status mark_synced();

  // The entries of OpenOptions::place_aliases whose place no premise in the
  // cache carries (a misspelling, a place the registry names otherwise):
  // every CAD address written with such an alias finds nothing. Empty while
  // the cache carries no place at all. Reads every premise's city the first
  // time on a read-only open, as its first lookup would.
  Result<std::vector<AliasWithoutPlace>> aliases_without_place();

  // Reads the counts kept beside the data (maintained in the transactions
  // that change the rows), so it costs the same at ten premises or millions.
  Result<Stats> stats();
  // Integrity check, the kept counts against the rows (cache.counts_mismatch)
  // and the audit chain, which must be the one this cache adopted
  // (cache.audit_broken). Reads every table: slow on a large cache.
  Status verify();
  // Deletes flags past `expires` or, given a period, not re-validated
  // within it, as of the last word from the registry (or today, if that was
  // later): a clock set ahead must not delete flags in force for good.
  // Lookups hide lapsed flags by today's date meanwhile.
  Result<int64_t> purge(std::optional<int> revalidate_days = 365);

 private:
  struct Impl;
  explicit Cache(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace mdtc::cache
