// Registry files applied in one transaction: parse every line first (a bad
// line costs nothing), then write, check references, and commit. Any failure
// rolls back, so the cache holds the old data or the new, never a mix.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cache_impl.h"
#include "flag_vocabulary.h"
#include "mdtc/registry_line.h"
#include "row_counts.h"
#include "schema.h"
#include "sealed_fields.h"
#include "mdtc/time_text.h"

namespace mdtc::cache {
namespace {

Error at_line(const std::string& origin, int64_t line, const Error& e) {
  return make_error(e.code, origin + ":" + std::to_string(line) + ": " + e.message);
}

struct NumberedRecord {
  int64_t line = 0;
  RegistryRecord record;
};

// Hands out one parsed record at a time (blank lines skipped), so a file of
// millions of lines never sits in memory parsed all at once.
class LineReader {
 public:
  LineReader(std::string_view text, const std::string& origin) : text_(text), origin_(origin) {}

  // std::nullopt at the end of the text.
  Result<std::optional<NumberedRecord>> next() {
    while (pos_ <= text_.size()) {
      std::size_t nl = text_.find('\n', pos_);
      if (nl == std::string_view::npos) nl = text_.size();
      const std::string_view line = text_.substr(pos_, nl - pos_);
      pos_ = nl + 1;
      ++line_no_;
      if (nl == text_.size() && line.empty()) break;
      auto r = parse_registry_line(line);
      if (!r) return at_line(origin_, line_no_, r.error());
      if (std::holds_alternative<BlankRecord>(*r)) continue;
      return std::optional<NumberedRecord>(NumberedRecord{line_no_, std::move(*r)});
    }
    return std::optional<NumberedRecord>();
  }

 private:
  std::string_view text_;
  const std::string& origin_;
  std::size_t pos_ = 0;
  int64_t line_no_ = 0;
};

// A record ready for the writer: parsed, and its personal fields already
// sealed (subject name/born, flag note, history detail).
struct ReadyRecord {
  int64_t line = 0;
  RegistryRecord record;
  Bytes sealed[2];
};

// Parsing and sealing run on a second thread while the calling thread
// writes to SQLite: the two costs overlap instead of adding up. Records
// travel in batches through a bounded queue, so memory stays flat however
// large the file. The producer stops at the first bad line and hands over
// its error in file order, after every record before it.
class RecordPipe {
 public:
  using Batch = std::vector<ReadyRecord>;
  static constexpr std::size_t kBatch = 1024;
  static constexpr std::size_t kMaxQueued = 16;

  // Blocks while the queue is full; false once the consumer has gone.
  bool push(Batch&& b) {
    std::unique_lock lock(mu_);
    not_full_.wait(lock, [&] { return queue_.size() < kMaxQueued || abandoned_; });
    if (abandoned_) return false;
    queue_.push_back(std::move(b));
    not_empty_.notify_one();
    return true;
  }
  void finish(std::optional<Error> error) {
    std::lock_guard lock(mu_);
    error_ = std::move(error);
    finished_ = true;
    not_empty_.notify_one();
  }
  // An empty batch means the end: then error() says whether it was a bad line.
  Batch pop() {
    std::unique_lock lock(mu_);
    not_empty_.wait(lock, [&] { return !queue_.empty() || finished_; });
    if (queue_.empty()) return {};
    Batch b = std::move(queue_.front());
    queue_.pop_front();
    not_full_.notify_one();
    return b;
  }
  std::optional<Error> error() {
    std::lock_guard lock(mu_);
    return error_;
  }
  // The consumer stops early (its own failure): release a blocked producer.
  void abandon() {
    std::lock_guard lock(mu_);
    abandoned_ = true;
    not_full_.notify_all();
  }
  bool abandoned() {
    std::lock_guard lock(mu_);
    return abandoned_;
  }

 private:
  std::mutex mu_;
  std::condition_variable not_full_, not_empty_;
  std::deque<Batch> queue_;
  bool finished_ = false, abandoned_ = false;
  std::optional<Error> error_;
};

void seal_fields(ReadyRecord& r, const FieldCipher& cipher, std::string& aad) {
  if (auto* s = std::get_if<SubjectRecord>(&r.record)) {
    subject_name_aad(aad, s->id);
    r.sealed[0] = cipher.seal(s->name, aad);
    subject_born_aad(aad, s->id);
    r.sealed[1] = cipher.seal(s->born, aad);
  } else if (auto* f = std::get_if<FlagRecord>(&r.record)) {
    flag_note_aad(aad, f->id);
    r.sealed[0] = cipher.seal(f->note, aad);
  } else if (auto* h = std::get_if<HistoryRecord>(&r.record)) {
    history_aad(aad, h->premise, h->incident);
    r.sealed[0] = cipher.seal(encode_history_detail(h->call_type, h->disposition), aad);
  }
}

// The producer's loop: every record after the first, in file order.
void produce(LineReader& reader, const std::string& origin, const Key& key, RecordPipe& pipe) {
  std::optional<Error> error;
  try {
    const FieldCipher cipher(key);
    std::string aad;
    RecordPipe::Batch batch;
    batch.reserve(RecordPipe::kBatch);
    for (;;) {
      auto next = reader.next();
      if (!next) {
        error = next.error();
        break;
      }
      if (!*next) break;
      if (std::holds_alternative<HeaderRecord>((*next)->record)) {
        error = at_line(origin, (*next)->line,
                        make_error("registry.misplaced_header", "a header must be the first record of the file"));
        break;
      }
      if (std::holds_alternative<TrailerRecord>((*next)->record)) {
        error = at_line(origin, (*next)->line,
                        make_error("registry.misplaced_trailer", "a trailer must be the last line of the file"));
        break;
      }
      ReadyRecord r{(*next)->line, std::move((*next)->record), {}};
      seal_fields(r, cipher, aad);
      batch.push_back(std::move(r));
      if (batch.size() == RecordPipe::kBatch) {
        if (!pipe.push(std::move(batch))) return;
        batch = {};
        batch.reserve(RecordPipe::kBatch);
      }
    }
    if (!batch.empty() && !pipe.push(std::move(batch))) return;
  } catch (const std::exception& e) {
    error = make_error("cache.import_failed", origin + ": not applied, previous data kept: " + e.what());
  }
  pipe.finish(std::move(error));
}

// The line of the last record in `text` for which `wanted` holds (the one
// whose values were kept), or 0. Only for naming a line in an error.
template <class Pred>
int64_t last_line_of(std::string_view text, Pred wanted) {
  int64_t found = 0, line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    ++line_no;
    auto r = parse_registry_line(text.substr(pos, nl - pos));
    if (r && wanted(*r)) found = line_no;
    pos = nl + 1;
  }
  return found;
}

Error dangling_flag(std::string_view text, const std::string& origin, const std::string& id, const std::string& ref) {
  const int64_t line = last_line_of(text, [&](const RegistryRecord& rec) {
    const auto* f = std::get_if<FlagRecord>(&rec);
    return f && f->id == id;
  });
  return make_error("registry.dangling_reference", origin + ":" + std::to_string(line) + ": flag " + id +
                                                       " refers to " + ref +
                                                       ", which is neither in this file nor in the cache");
}

std::string counts_text(const RecordCounts& c) {
  return std::to_string(c.premises) + " premises, " + std::to_string(c.subjects) + " subjects, " +
         std::to_string(c.flags) + " flags, " + std::to_string(c.history) + " history, " +
         std::to_string(c.deletes) + " deletes";
}

// The identity a record claims in the file: ids are one namespace across
// premises, subjects, flags and deletes (a delete removes whichever holds the
// id); history is keyed by premise and incident. Empty for other records.
std::string record_key(const RegistryRecord& rec) {
  if (const auto* p = std::get_if<PremiseRecord>(&rec)) return p->id;
  if (const auto* s = std::get_if<SubjectRecord>(&rec)) return s->id;
  if (const auto* f = std::get_if<FlagRecord>(&rec)) return f->id;
  if (const auto* d = std::get_if<DeleteRecord>(&rec)) return d->id;
  if (const auto* h = std::get_if<HistoryRecord>(&rec)) return std::string("history\n") + h->premise + "\n" + h->incident;
  return {};
}

std::string_view line_at(std::string_view text, int64_t wanted) {
  std::size_t pos = 0;
  for (int64_t n = 1; n < wanted && pos <= text.size(); ++n) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return {};
    pos = nl + 1;
  }
  const std::size_t nl = text.find('\n', pos);
  return text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
}

// Duplicate keys, found from 16 bytes a record (a hash and a line) instead of
// every id held in memory; only equal hashes are read again from the text.
std::optional<Error> first_duplicate(std::vector<std::pair<uint64_t, int64_t>>& keys, std::string_view text,
                                     const std::string& origin) {
  std::sort(keys.begin(), keys.end());
  std::vector<std::pair<int64_t, int64_t>> candidates;  // later line, earlier line
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (keys[i].first == keys[i - 1].first) candidates.emplace_back(keys[i].second, keys[i - 1].second);
  // Earliest first; a real duplicate ends the search, so a file full of them
  // costs one look, and only a hash collision costs another.
  std::sort(candidates.begin(), candidates.end());
  std::optional<std::pair<int64_t, int64_t>> found;  // earlier line, later line
  std::string key;
  for (const auto& [later, earlier] : candidates) {
    auto a = parse_registry_line(line_at(text, earlier));
    auto b = parse_registry_line(line_at(text, later));
    if (!a || !b || record_key(*a) != record_key(*b)) continue;
    found = {earlier, later};
    key = record_key(*b);
    break;
  }
  if (!found) return std::nullopt;
  std::replace(key.begin(), key.end(), '\n', ' ');
  return make_error("registry.duplicate_id", origin + ":" + std::to_string(found->second) + ": " + key +
                                                 " was already given at line " + std::to_string(found->first) +
                                                 " (a file names each record once): not applied, previous data kept");
}

}  // namespace

Result<ImportReport> Cache::import_file(const std::string& path, const ImportOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error("registry.not_a_file", path + ": is a directory, expected a registry export file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("registry.unreadable", path + ": cannot open for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return make_error("registry.unreadable", path + ": read failed");
  return import_text(buf.str(), path, options);
}

Result<ImportReport> Cache::import_text(std::string_view text, const std::string& origin,
                                        const ImportOptions& options) {
  auto attempt = [&]() -> Result<ImportReport> {
    // A bad line anywhere rolls the whole transaction back, so the records
    // can be applied as they are read.
    auto framed = frame_registry_file(text, origin, options.legacy);
    if (!framed) return framed.error();
    const std::string_view body = framed->body;
    LineReader reader(body, origin);
    auto first = reader.next();
    if (!first) return first.error();
    std::optional<HeaderRecord> header;
    std::optional<NumberedRecord> pending;
    int64_t header_line = 1;
    if (*first && std::holds_alternative<HeaderRecord>((*first)->record)) {
      header = std::get<HeaderRecord>((*first)->record);
      header_line = (*first)->line;
    } else
      pending = std::move(*first);

    Impl& im = *impl_;
    std::lock_guard lock(im.mu);
    ImportReport report;
    report.mode = header ? header->mode : "delta";
    try {
      // References are checked once before commit (which also names the
      // line); with enforcement on, SQLite would look every parent up on each
      // insert. Cascades are spelled out below. The pragma only takes effect
      // outside a transaction.
      im.db.exec("PRAGMA foreign_keys=OFF");
      struct Restore {
        Db& db;
        ~Restore() { sqlite3_exec(db.get(), "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr); }
      } restore{im.db};
      Transaction tx(im.db);
      const int64_t current = std::stoll(im.meta("registry_version").value_or("0"));
      report.version = header ? header->version : current;
      if (header && header->version < current)
        return make_error("registry.old_version", origin + ":" + std::to_string(header_line) + ": " + report.mode + " version " +
                                                      std::to_string(header->version) +
                                                      " is older than version " + std::to_string(current) +
                                                      " already applied");
      const bool replace_all = report.mode == "snapshot";
      const bool whole = im.holds_snapshot();
      const std::string where = origin + ":" + std::to_string(header_line) + ": ";
      if (!replace_all && !whole)
        return make_error("registry.no_base", where + "a delta applies on top of a complete snapshot, and this cache "
                                                      "holds none: import a snapshot first; previous data kept");
      if (!replace_all && header) {
        const int64_t base = header->base.value_or(header->version - 1);
        if (base != current || header->version <= base)
          return make_error("registry.base_mismatch",
                            where + "delta version " + std::to_string(header->version) + " applies on top of version " +
                                std::to_string(base) + ", and the cache holds version " + std::to_string(current) +
                                "; previous data kept");
      }
      auto count_flags = [&] { return kept_count(im.db, "flags"); };
      const int64_t flags_before = replace_all ? count_flags() : 0;
      if (replace_all) begin_replace_all(im.db);

      Stmt put_premise(im.db, R"sql(
        INSERT INTO premises(id, display, hno, hns, predir, pretype, name, type, postdir, unit, unit_display,
                             city, state, zip, lat, lon)
        VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)
        ON CONFLICT(id) DO UPDATE SET display=?2, hno=?3, hns=?4, predir=?5, pretype=?6, name=?7, type=?8,
          postdir=?9, unit=?10, unit_display=?11, city=?12, state=?13, zip=?14, lat=?15, lon=?16)sql");
      Stmt put_subject(im.db, R"sql(
        INSERT INTO subjects(id, name, born) VALUES(?1,?2,?3)
        ON CONFLICT(id) DO UPDATE SET name=?2, born=?3)sql");
      Stmt put_flag(im.db, R"sql(
        INSERT INTO flags(id, subject_id, premise_id, kind, code, note, audience, expires, validated)
        VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9)
        ON CONFLICT(id) DO UPDATE SET subject_id=?2, premise_id=?3, kind=?4, code=?5, note=?6, audience=?7,
          expires=?8, validated=?9)sql");
      Stmt put_history(im.db, R"sql(
        INSERT INTO history(premise_id, incident, at, detail) VALUES(?1,?2,?3,?4)
        ON CONFLICT(premise_id, incident) DO UPDATE SET at=?3, detail=?4)sql");
      Stmt del_flag(im.db, "DELETE FROM flags WHERE id=?1");
      Stmt del_subject(im.db, "DELETE FROM subjects WHERE id=?1");
      Stmt del_premise(im.db, "DELETE FROM premises WHERE id=?1");
      Stmt del_subject_flags(im.db, "DELETE FROM flags WHERE subject_id=?1");
      Stmt del_premise_flags(im.db, "DELETE FROM flags WHERE premise_id=?1");
      Stmt del_premise_history(im.db, "DELETE FROM history WHERE premise_id=?1");
      Stmt del_premise_aliases(im.db, "DELETE FROM premise_aliases WHERE premise_id=?1");
      Stmt put_alias(im.db, "INSERT OR IGNORE INTO premise_aliases(alias, premise_id) VALUES(?1,?2)");

      std::set<std::string> unknown;
      std::string display;

      // Values are bound without copying: each record outlives its statement run.
      std::vector<std::pair<uint64_t, int64_t>> keys;
      auto apply = [&](ReadyRecord& ready) {
        const int64_t line = ready.line;
        RegistryRecord& rec = ready.record;
        keys.emplace_back(std::hash<std::string>{}(record_key(rec)), line);
        if (auto* r = std::get_if<PremiseRecord>(&rec)) {
          static const NormalizedAddress kNone;
          const NormalizedAddress& a = r->address ? *r->address : kNone;
          if (!r->address)
            report.warnings.push_back(origin + ":" + std::to_string(line) + ": premise " + r->id +
                                      " has no usable address; it can only match by coordinates");
          display = r->address ? a.display() : r->address_text;
          put_premise.bind_static(1, r->id)
              .bind_static(2, display)
              .bind_static(3, a.house_number).bind_static(4, a.house_suffix).bind_static(5, a.predir)
              .bind_static(6, a.pretype).bind_static(7, a.name).bind_static(8, a.type).bind_static(9, a.postdir)
              .bind_static(10, a.unit).bind_static(11, a.unit_display)
              .bind_static(12, a.city).bind_static(13, a.state).bind_static(14, a.zip)
              .bind_opt(15, r->lat).bind_opt(16, r->lon);
          put_premise.run();
          // A premise line states all its names: a delta that drops one drops it.
          if (!replace_all) del_premise_aliases.bind_static(1, r->id).run();
          for (const std::string& alias : r->aliases) put_alias.bind_static(1, alias).bind_static(2, r->id).run();
          ++report.premises;
        } else if (auto* s = std::get_if<SubjectRecord>(&rec)) {
          put_subject.bind_static(1, s->id).bind_blob_static(2, ready.sealed[0]).bind_blob_static(3, ready.sealed[1]);
          put_subject.run();
          ++report.subjects;
        } else if (auto* f = std::get_if<FlagRecord>(&rec)) {
          if (f->kind == "sud" && f->audience != "clinician") {
            // 42 CFR Part 2 records never go to the whole car.
            f->audience = "clinician";
            report.warnings.push_back(origin + ":" + std::to_string(line) + ": flag " + f->id +
                                      " is kind sud; audience set to clinician");
          }
          if (!find_code(f->code)) {
            ++report.unknown_codes;
            unknown.insert(f->code);
          }
          put_flag.bind_static(1, f->id)
              .bind_text_or_null(2, f->subject)
              .bind_static(3, f->premise)
              .bind_static(4, f->kind)
              .bind_static(5, f->code)
              .bind_blob_static(6, ready.sealed[0])
              .bind_static(7, f->audience)
              .bind_text_or_null(8, f->expires)
              .bind_text_or_null(9, f->validated);
          put_flag.run();
          ++report.flags;
        } else if (auto* h = std::get_if<HistoryRecord>(&rec)) {
          put_history.bind_static(1, h->premise)
              .bind_static(2, h->incident)
              .bind_static(3, h->at)
              .bind_blob_static(4, ready.sealed[0]);
          put_history.run();
          ++report.history;
        } else if (auto* d = std::get_if<DeleteRecord>(&rec)) {
          // Ids are one namespace across record types: a tombstone removes the
          // flag, subject or premise of that id, and cascades to what hangs on it.
          for (Stmt* del : {&del_flag, &del_subject, &del_premise, &del_subject_flags, &del_premise_flags,
                            &del_premise_history, &del_premise_aliases}) {
            del->bind_static(1, d->id);
            del->run();
          }
          ++report.deletes;
        }
      };

      int64_t lines = 0;
      if (pending) {
        ReadyRecord first_record{pending->line, std::move(pending->record), {}};
        std::string aad;
        seal_fields(first_record, *im.cipher, aad);
        apply(first_record);
        ++lines;
      }
      {
        RecordPipe pipe;
        std::thread producer([&] { produce(reader, origin, im.cipher_key, pipe); });
        struct Join {
          RecordPipe& pipe;
          std::thread& t;
          ~Join() {
            pipe.abandon();
            t.join();
          }
        } join{pipe, producer};
        for (;;) {
          RecordPipe::Batch batch = pipe.pop();
          if (batch.empty()) break;
          for (ReadyRecord& r : batch) apply(r);
          lines += static_cast<int64_t>(batch.size());
        }
        if (auto error = pipe.error()) return *error;
      }

      if (replace_all) end_replace_all(im.db);

      if (auto dup = first_duplicate(keys, body, origin)) return *dup;
      const RecordCounts read{report.premises, report.subjects, report.flags, report.history, report.deletes};
      if (framed->trailer && read != framed->trailer->counts)
        return make_error("registry.incomplete", origin + ":" + std::to_string(header_line) + ": the file holds " +
                                                     counts_text(read) + "; its trailer states " +
                                                     counts_text(framed->trailer->counts) +
                                                     ": not applied, previous data kept");
      report.flags_held = count_flags();
      const int64_t removed = flags_before - report.flags_held;
      if (replace_all && !options.allow_shrink && removed > 0 &&
          removed * 100 > static_cast<int64_t>(im.options.max_snapshot_shrink_pct) * flags_before)
        return make_error("registry.shrink",
                          where + "this snapshot would remove " + std::to_string(removed) + " of the cache's " +
                              std::to_string(flags_before) + " flags, more than cache.max_snapshot_shrink_pct = " +
                              std::to_string(im.options.max_snapshot_shrink_pct) +
                              "%; if the registry really shrank, import it with --allow-shrink; previous data kept");

      // References, checked once over the final state (foreign keys are off
      // for the load). Flags and history are clustered by premise, so these
      // scans probe the parent keys in order. The first dangling one is named
      // with its line, found again in the text only now that it is needed.
      {
        // Each premise once (the tables are clustered by premise, so the
        // distinct ids come in key order and the probes walk the premises
        // index in order); only a dangling one costs a second look.
        Stmt fp(im.db, "SELECT f.premise_id FROM (SELECT DISTINCT premise_id FROM flags) f WHERE NOT EXISTS "
                       "(SELECT 1 FROM premises p WHERE p.id = f.premise_id) LIMIT 1");
        if (fp.step()) {
          const std::string premise = fp.text(0);
          Stmt one(im.db, "SELECT id FROM flags WHERE premise_id = ?1 ORDER BY id LIMIT 1");
          one.bind(1, premise);
          one.step();
          return dangling_flag(text, origin, one.text(0), "premise " + premise);
        }
        Stmt fs(im.db, "SELECT f.id, f.subject_id FROM flags f WHERE f.subject_id IS NOT NULL AND NOT EXISTS "
                       "(SELECT 1 FROM subjects s WHERE s.id = f.subject_id) LIMIT 1");
        if (fs.step())
          return dangling_flag(text, origin, fs.text(0), "subject " + fs.text(1));
        Stmt hp(im.db, "SELECT h.premise_id FROM (SELECT DISTINCT premise_id FROM history) h WHERE NOT EXISTS "
                       "(SELECT 1 FROM premises p WHERE p.id = h.premise_id) LIMIT 1");
        if (hp.step()) {
          const std::string premise = hp.text(0);
          Stmt one(im.db, "SELECT incident FROM history WHERE premise_id = ?1 ORDER BY incident LIMIT 1");
          one.bind(1, premise);
          one.step();
          const std::string incident = one.text(0);
          const int64_t line = last_line_of(text, [&](const RegistryRecord& rec) {
            const auto* h = std::get_if<HistoryRecord>(&rec);
            return h && h->premise == premise && h->incident == incident;
          });
          return make_error("registry.dangling_reference",
                            origin + ":" + std::to_string(line) + ": history " + incident + " refers to premise " +
                                premise + ", which is neither in this file nor in the cache");
        }
      }

      const int64_t now = now_unix();
      report.lines = lines;
      report.unknown_code_names.assign(unknown.begin(), unknown.end());
      im.set_meta("registry_version", std::to_string(report.version));
      // Freshness means "the registry said this is current". A snapshot says
      // it of everything, a delta with a header of everything up to its
      // version (its base was checked above), even when it holds no records.
      // A header-less legacy file carries no version: it changes data but
      // confirms nothing.
      report.freshness_moved = header.has_value();
      if (report.freshness_moved) im.set_meta("last_sync", std::to_string(now));
      im.set_meta("snapshot_version", replace_all ? std::to_string(report.version)
                                                  : im.meta("snapshot_version").value_or(std::to_string(current)));
      im.set_meta("last_mode", report.mode);
      // A snapshot normalized every premise with this build's address rules.
      if (replace_all) im.set_meta("address_rules", std::to_string(kAddressRulesVersion));
      tx.commit();
      im.set_recovered("");
      // The commit's checkpoint copied the pages into the file, but until the
      // next write the WAL keeps them (a snapshot's is as large as the cache)
      // and lookups keep finding pages there. Truncating it hands the disk
      // space back and sends reads to the file; it waits only for lookups
      // already running.
      sqlite3_exec(im.db.get(), "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
      // The data is in; if re-reading its places fails, the old ones serve.
      try { im.load_places(im.db); } catch (const SqlError&) {}
      im.reserve_wal();
      return report;
    } catch (const SqlError& e) {
      return make_error("cache.import_failed", origin + ": not applied, previous data kept: " + e.what());
    } catch (const std::exception& e) {
      return make_error("cache.import_failed", origin + ": not applied, previous data kept: " + e.what());
    }
  };
  Result<ImportReport> result = attempt();
  if (!result) {
    // Rejections are counted where fleet IT looks (cache stats), in their
    // own small transaction after the import's rollback.
    Impl& im = *impl_;
    std::lock_guard lock(im.mu);
    try {
      Transaction tx(im.db);
      im.set_meta("import_rejects", std::to_string(std::stoll(im.meta("import_rejects").value_or("0")) + 1));
      im.set_meta("last_reject", result.error().message.substr(0, 500));
      tx.commit();
    } catch (const std::exception&) {
      // The rejection itself is what the caller needs; the counter is best effort.
    }
  }
  return result;
}

}  // namespace mdtc::cache
