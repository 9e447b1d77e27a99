// Registry files applied in one transaction: parse every line first (a bad
// line costs nothing), then write, check references, and commit. Any failure
// rolls back, so the cache holds the old data or the new, never a mix.
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "cache_impl.h"
#include "flag_vocabulary.h"
#include "mdtc/registry_line.h"
#include "time_text.h"

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

}  // namespace

Result<ImportReport> Cache::import_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("registry.unreadable", path + ": cannot open for reading");
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return make_error("registry.unreadable", path + ": read failed");
  return import_text(buf.str(), path);
}

Result<ImportReport> Cache::import_text(std::string_view text, const std::string& origin) {
  auto attempt = [&]() -> Result<ImportReport> {
    // A bad line anywhere rolls the whole transaction back, so the records
    // can be applied as they are read.
    LineReader reader(text, origin);
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
      // Foreign keys are enforced by one PRAGMA foreign_key_check before commit
      // (which also names the line); with enforcement on, SQLite would look every
      // parent up a second time on each insert. Cascades are spelled out below.
      // The pragma only takes effect outside a transaction.
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
      if (report.mode == "snapshot") {
        im.db.exec("DELETE FROM flags; DELETE FROM history; DELETE FROM subjects; DELETE FROM premises;");
      }

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
        INSERT INTO history(premise_id, incident, at, call_type, disposition) VALUES(?1,?2,?3,?4,?5)
        ON CONFLICT(premise_id, incident) DO UPDATE SET at=?3, call_type=?4, disposition=?5)sql");
      Stmt del_flag(im.db, "DELETE FROM flags WHERE id=?1");
      Stmt del_subject(im.db, "DELETE FROM subjects WHERE id=?1");
      Stmt del_premise(im.db, "DELETE FROM premises WHERE id=?1");
      Stmt del_subject_flags(im.db, "DELETE FROM flags WHERE subject_id=?1");
      Stmt del_premise_flags(im.db, "DELETE FROM flags WHERE premise_id=?1");
      Stmt del_premise_history(im.db, "DELETE FROM history WHERE premise_id=?1");

      std::map<std::string, int64_t> flag_line;
      std::map<std::pair<std::string, std::string>, int64_t> history_line;
      std::set<std::string> unknown;

      auto apply = [&](int64_t line, RegistryRecord& rec) {
        if (auto* r = std::get_if<PremiseRecord>(&rec)) {
          const NormalizedAddress a = r->address.value_or(NormalizedAddress{});
          if (!r->address)
            report.warnings.push_back(origin + ":" + std::to_string(line) + ": premise " + r->id +
                                      " has no usable address; it can only match by coordinates");
          put_premise.bind(1, r->id)
              .bind(2, r->address ? a.display() : r->address_text)
              .bind(3, a.house_number).bind(4, a.house_suffix).bind(5, a.predir).bind(6, a.pretype)
              .bind(7, a.name).bind(8, a.type).bind(9, a.postdir).bind(10, a.unit).bind(11, a.unit_display)
              .bind(12, a.city).bind(13, a.state).bind(14, a.zip)
              .bind_opt(15, r->lat).bind_opt(16, r->lon);
          put_premise.run();
          ++report.premises;
        } else if (auto* s = std::get_if<SubjectRecord>(&rec)) {
          put_subject.bind(1, s->id)
              .bind_blob(2, im.seal(s->name, "subjects.name:" + s->id))
              .bind_blob(3, im.seal(s->born, "subjects.born:" + s->id));
          put_subject.run();
          ++report.subjects;
        } else if (auto* f = std::get_if<FlagRecord>(&rec)) {
          std::string audience = f->audience;
          if (f->kind == "sud" && audience != "clinician") {
            // 42 CFR Part 2 records never go to the whole car.
            audience = "clinician";
            report.warnings.push_back(origin + ":" + std::to_string(line) + ": flag " + f->id +
                                      " is kind sud; audience set to clinician");
          }
          if (!find_code(f->code)) {
            ++report.unknown_codes;
            unknown.insert(f->code);
          }
          put_flag.bind(1, f->id)
              .bind_text_or_null(2, f->subject)
              .bind(3, f->premise)
              .bind(4, f->kind)
              .bind(5, f->code)
              .bind_blob(6, im.seal(f->note, "flags.note:" + f->id))
              .bind(7, audience)
              .bind_text_or_null(8, f->expires)
              .bind_text_or_null(9, f->validated);
          put_flag.run();
          flag_line[f->id] = line;
          ++report.flags;
        } else if (auto* h = std::get_if<HistoryRecord>(&rec)) {
          const std::string aad = "history:" + h->premise + ":" + h->incident;
          put_history.bind(1, h->premise)
              .bind(2, h->incident)
              .bind(3, h->at)
              .bind_blob(4, im.seal(h->call_type, aad + ":call_type"))
              .bind_blob(5, im.seal(h->disposition, aad + ":disposition"));
          put_history.run();
          history_line[{h->premise, h->incident}] = line;
          ++report.history;
        } else if (auto* d = std::get_if<DeleteRecord>(&rec)) {
          // Ids are one namespace across record types: a tombstone removes the
          // flag, subject or premise of that id, and cascades to what hangs on it.
          del_flag.bind(1, d->id);
          del_flag.run();
          del_subject.bind(1, d->id);
          del_subject.run();
          del_premise.bind(1, d->id);
          del_premise.run();
          del_subject_flags.bind(1, d->id);
          del_subject_flags.run();
          del_premise_flags.bind(1, d->id);
          del_premise_flags.run();
          del_premise_history.bind(1, d->id);
          del_premise_history.run();
          ++report.deletes;
        }
      };
      int64_t lines = 0;
      if (pending) {
        apply(pending->line, pending->record);
        ++lines;
      }
      for (;;) {
        auto next = reader.next();
        if (!next) return next.error();
        if (!*next) break;
        if (std::holds_alternative<HeaderRecord>((*next)->record))
          return at_line(origin, (*next)->line,
                         make_error("registry.misplaced_header", "a header must be the first record of the file"));
        apply((*next)->line, (*next)->record);
        ++lines;
      }

      // References: report the first dangling one by its line.
      {
        Stmt fk(im.db, "PRAGMA foreign_key_check");
        if (fk.step()) {
          const std::string table = fk.text(0);
          const int64_t rowid = fk.integer(1);
          const std::string parent = fk.text(2);
          if (table == "flags") {
            Stmt q(im.db, "SELECT id, premise_id, coalesce(subject_id,'') FROM flags WHERE rowid=?1");
            q.bind(1, rowid);
            q.step();
            const std::string id = q.text(0);
            const std::string ref = parent == "premises" ? "premise " + q.text(1) : "subject " + q.text(2);
            return make_error("registry.dangling_reference",
                              origin + ":" + std::to_string(flag_line.count(id) ? flag_line[id] : 0) + ": flag " + id +
                                  " refers to " + ref + ", which is neither in this file nor in the cache");
          }
          Stmt q(im.db, "SELECT premise_id, incident FROM history WHERE rowid=?1");
          q.bind(1, rowid);
          q.step();
          const auto key = std::make_pair(q.text(0), q.text(1));
          return make_error("registry.dangling_reference",
                            origin + ":" + std::to_string(history_line.count(key) ? history_line[key] : 0) +
                                ": history " + key.second + " refers to premise " + key.first +
                                ", which is neither in this file nor in the cache");
        }
      }

      const int64_t now = now_unix();
      report.lines = lines;
      report.unknown_code_names.assign(unknown.begin(), unknown.end());
      im.set_meta("registry_version", std::to_string(report.version));
      im.set_meta("last_sync", std::to_string(now));
      im.set_meta("last_mode", report.mode);
      tx.commit();
      im.set_recovered("");
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
