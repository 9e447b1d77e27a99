// Registry files applied in one transaction, read as a stream: a piece of
// the file at a time is split into lines, parsed, sealed and written; the
// file's frame (header counts, trailer, SHA-256) and the source's own check
// (the sync's transfer hash) are judged at the end, before the commit. Any
// failure rolls back, so the cache holds the old data or the new, never a
// mix, and memory holds a few batches of records, never the file.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "cache_impl.h"
#include "flag_vocabulary.h"
#include "mdtc/registry_line.h"
#include "registry_frame.h"
#include "row_counts.h"
#include "schema.h"
#include "sealed_fields.h"
#include "mdtc/time_text.h"

namespace mdtc::cache {
namespace {

Error at_line(const std::string& origin, int64_t line, const Error& e) {
  return make_error(e.code, line_at(origin, line) + ": " + e.message);
}

struct NumberedRecord {
  int64_t line = 0;
  RegistryRecord record;
};

// The lines of a source, in order, numbered from 1: pieces joined across
// their boundaries, so only the line being read is held. A line longer than
// a registry line may be is kept only as far as kMaxRegistryLineBytes + 1
// (its length still counted), enough to refuse it. Every byte is hashed in
// file order; hash() is the hash of everything before the line last
// returned, unless that line was too long to be a trailer.
class LineSplitter {
 public:
  explicit LineSplitter(ByteSource& source) : source_(source) {}

  struct Line {
    std::string_view text;
    int64_t number = 0;
    std::size_t length = 0;  // bytes, even when text was cut short
  };

  Result<std::optional<Line>> next() {
    // The line returned last is hashed only now, so that until now the
    // hash stood before it.
    if (unhashed_) {
      hash_.update(last_);
      unhashed_ = false;
    }
    carry_.clear();
    carried_ = 0;
    for (;;) {
      if (pos_ < piece_.size()) {
        const std::size_t nl = piece_.find('\n', pos_);
        const std::size_t end = nl == std::string_view::npos ? piece_.size() : nl + 1;
        const std::string_view bytes = piece_.substr(pos_, end - pos_);
        pos_ = end;
        if (nl == std::string_view::npos) {
          keep(bytes);
          continue;
        }
        if (carried_ == 0) return emit(bytes, bytes.size() - 1);
        keep(bytes);
        return emit(carry_, carried_ - 1);
      }
      if (ended_) {
        if (carried_ == 0) return std::optional<Line>();
        return emit(carry_, carried_);  // the last line, without a newline
      }
      auto piece = source_.next();
      if (!piece) return piece.error();
      piece_ = *piece;
      pos_ = 0;
      ended_ = piece_.empty();
    }
  }

  const Sha256& hash() const { return hash_; }

 private:
  // Holds the start of a line that goes on in the next piece. A line (with
  // its newline) longer than any line may be is not a trailer: it is hashed
  // as it passes, and only enough of it is kept to refuse it.
  void keep(std::string_view bytes) {
    constexpr std::size_t kCap = kMaxRegistryLineBytes + 1;
    carried_ += bytes.size();
    if (overlong_) {
      hash_.update(bytes);
      return;
    }
    if (carry_.size() + bytes.size() <= kCap) {
      carry_.append(bytes);
      return;
    }
    overlong_ = true;
    hash_.update(carry_);
    hash_.update(bytes);
    carry_.append(bytes.substr(0, kCap - carry_.size()));
  }

  std::optional<Line> emit(std::string_view with_newline, std::size_t length) {
    ++number_;
    std::string_view text = with_newline.substr(0, std::min(length, with_newline.size()));
    if (!overlong_) {
      last_ = with_newline;
      unhashed_ = true;
    }
    overlong_ = false;
    return Line{text, number_, length};
  }

  ByteSource& source_;
  std::string_view piece_;
  std::size_t pos_ = 0;
  bool ended_ = false;
  std::string carry_;        // a line split across pieces (cut at the limit)
  std::size_t carried_ = 0;  // its real length so far
  bool overlong_ = false;
  std::string_view last_;  // the line returned last, not yet hashed
  bool unhashed_ = false;
  int64_t number_ = 0;
  Sha256 hash_;
};

// Hands out one parsed record at a time (blank lines skipped), so a file of
// millions of lines never sits in memory parsed all at once. Every
// non-blank line, parsed or not, goes past the frame check.
class LineReader {
 public:
  LineReader(ByteSource& source, const std::string& origin, FrameCheck& frame)
      : lines_(source), origin_(origin), frame_(frame) {}

  // std::nullopt at the end of the source.
  Result<std::optional<NumberedRecord>> next() {
    for (;;) {
      auto l = lines_.next();
      if (!l) {
        source_failed_ = true;
        return l.error();
      }
      if (!*l) return std::optional<NumberedRecord>();
      const auto& line = **l;
      auto r = line.length > kMaxRegistryLineBytes
                   ? Result<RegistryRecord>(make_error(
                         "registry.too_long", "line of " + std::to_string(line.length) +
                                                  " bytes: expected at most " + std::to_string(kMaxRegistryLineBytes)))
                   : parse_registry_line(line.text);
      if (r && std::holds_alternative<BlankRecord>(*r)) continue;
      frame_.line(line.number, r ? &*r : nullptr, lines_.hash(), r ? nullptr : &r.error());
      if (!r) return at_line(origin_, line.number, r.error());
      return std::optional<NumberedRecord>(NumberedRecord{line.number, std::move(*r)});
    }
  }

  // Reads what is left without applying it, so that the frame and the
  // source can be judged whatever stopped the import.
  Status drain() {
    for (;;) {
      auto n = next();
      if (!n && source_failed_) return n.error();
      if (n && !*n) return Ok{};
    }
  }
  // The last error came from reading the source, not from a line.
  bool source_failed() const { return source_failed_; }

 private:
  bool source_failed_ = false;
  LineSplitter lines_;
  const std::string& origin_;
  FrameCheck& frame_;
};

Error misplaced_trailer(const std::string& origin, const FrameCheck& frame) {
  return at_line(origin, frame.misplaced_trailer(),
                 make_error("registry.misplaced_trailer", "a trailer must be the last line of the file"));
}

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
  // Four batches keep the writer fed (the parser is the faster side) for a
  // few megabytes; more only hold memory.
  static constexpr std::size_t kMaxQueued = 4;

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
void produce(LineReader& reader, const FrameCheck& frame, const std::string& origin, const Key& key,
             RecordPipe& pipe) {
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
      if (!*next) {
        if (frame.misplaced_trailer() != 0) error = misplaced_trailer(origin, frame);
        break;
      }
      if (std::holds_alternative<HeaderRecord>((*next)->record)) {
        error = at_line(origin, (*next)->line,
                        make_error("registry.misplaced_header", "a header must be the first record of the file"));
        break;
      }
      if (frame.misplaced_trailer() != 0) {
        error = misplaced_trailer(origin, frame);
        break;
      }
      // The trailer is the frame's (judged once the file has ended).
      if (std::holds_alternative<TrailerRecord>((*next)->record)) continue;
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

// Reads the source again from its first byte and hands each record that
// parses, with its line number, to `visit` (false = stop). Only for naming
// a line in an error, after the whole file was read and verified.
template <class Visit>
Status rescan(ByteSource& source, Visit visit) {
  if (auto r = source.rewind(); !r) return r;
  LineSplitter lines(source);
  for (;;) {
    auto l = lines.next();
    if (!l) return l.error();
    if (!*l) return Ok{};
    if ((*l)->length > kMaxRegistryLineBytes) continue;
    auto r = parse_registry_line((*l)->text);
    if (r && !visit((*l)->number, *r)) return Ok{};
  }
}

// The line of the last record for which `wanted` holds (the one whose
// values were kept), or 0.
template <class Pred>
int64_t last_line_of(ByteSource& source, Pred wanted) {
  int64_t found = 0;
  (void)rescan(source, [&](int64_t line, const RegistryRecord& r) {
    if (wanted(r)) found = line;
    return true;
  });
  return found;
}

Error dangling_flag(ByteSource& source, const std::string& origin, const std::string& id, const std::string& ref) {
  const int64_t line = last_line_of(source, [&](const RegistryRecord& rec) {
    const auto* f = std::get_if<FlagRecord>(&rec);
    return f && f->id == id;
  });
  return make_error("registry.dangling_reference", line_at(origin, line) + ": flag " + id +
                                                       " refers to " + ref +
                                                       ", which is neither in this file nor in the cache");
}

std::string counts_text(const RecordCounts& c) {
  return std::to_string(c.premises) + " premises, " + std::to_string(c.subjects) + " subjects, " +
         std::to_string(c.flags) + " flags, " + std::to_string(c.history) + " history, " +
         std::to_string(c.deletes) + " deletes";
}

// A premise whose address is only a corner ("MAIN ST & 1ST AVE") is never
// found by its text: a lookup reads a corner as a place to search around,
// by coordinates. With coordinates it can still show as nearby; without, no
// lookup can ever find it, and a flag on it would never be seen.
// So is one at house number 0, which CAD's text is never read with (no door
// has it): with coordinates nearby only, without them never.
void warn_unfindable_text(ImportReport& report, const std::string& origin, int64_t line, const PremiseRecord& r) {
  const bool corner = r.address->intersection;
  if (corner) ++report.corners;
  const std::string what = corner ? " is only a corner (" + r.address->display() + "); a corner"
                                  : " has house number 0 (" + r.address->display() + "); house number 0";
  const std::string where =
      line_at(origin, line) + ": premise " + r.id + what + " is never found by its text";
  if (r.lat && r.lon) {
    report.warnings.push_back(where + ", it can only match by coordinates");
    return;
  }
  ++report.unfindable;
  report.warnings.push_back(where + " and it has no coordinates: no lookup can ever find it");
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

// Duplicate keys, found from a hash and a line per record kept in a
// temporary table (SQLite's temporary file, so memory does not grow with the
// file): equal hashes are sorted out there, and only their lines are read
// again from the source.
std::optional<Error> first_duplicate(Db& db, ByteSource& source, const std::string& origin) {
  std::vector<std::pair<int64_t, int64_t>> candidates;  // later line, earlier line
  {
    Stmt same(db, "SELECT k.h, k.line FROM temp.import_keys k JOIN "
                  "(SELECT h FROM temp.import_keys GROUP BY h HAVING count(*) > 1 LIMIT 1000) d ON d.h = k.h "
                  "ORDER BY k.h, k.line");
    int64_t prev_h = 0, prev_line = 0;
    bool first = true;
    while (same.step()) {
      const int64_t h = same.integer(0), line = same.integer(1);
      if (!first && h == prev_h) candidates.emplace_back(line, prev_line);
      prev_h = h;
      prev_line = line;
      first = false;
    }
  }
  if (candidates.empty()) return std::nullopt;
  // Earliest first; a real duplicate ends the search, so a file full of them
  // costs one look, and only a hash collision costs another.
  std::sort(candidates.begin(), candidates.end());
  std::set<int64_t> wanted;
  for (const auto& [later, earlier] : candidates) {
    wanted.insert(later);
    wanted.insert(earlier);
  }
  std::map<int64_t, std::string> keys;
  (void)rescan(source, [&](int64_t line, const RegistryRecord& r) {
    if (wanted.count(line)) keys[line] = record_key(r);
    return line < *wanted.rbegin();
  });
  for (const auto& [later, earlier] : candidates) {
    const auto a = keys.find(earlier), b = keys.find(later);
    if (a == keys.end() || b == keys.end() || a->second != b->second) continue;
    std::string key = b->second;
    std::replace(key.begin(), key.end(), '\n', ' ');
    return make_error("registry.duplicate_id", line_at(origin, later) + ": " + key +
                                                   " was already given at line " + std::to_string(earlier) +
                                                   " (a file names each record once): not applied, previous data kept");
  }
  return std::nullopt;
}

// `key`, given again at line `later`: named by the first line that gave it.
Error duplicate_error(ByteSource& source, const std::string& origin, const std::string& key, int64_t later) {
  int64_t earlier = 0;
  (void)rescan(source, [&](int64_t line, const RegistryRecord& r) {
    if (line < later && record_key(r) == key) earlier = line;
    return earlier == 0 && line < later;
  });
  if (earlier == 0)
    return make_error("cache.import_failed", line_at(origin, later) +
                                                 ": a row could not be written: not applied, previous data kept");
  std::string shown = key;
  std::replace(shown.begin(), shown.end(), '\n', ' ');
  return make_error("registry.duplicate_id", line_at(origin, later) + ": " + shown +
                                                 " was already given at line " + std::to_string(earlier) +
                                                 " (a file names each record once): not applied, previous data kept");
}

// Ids are one namespace: a keyed snapshot's tables each hold an id once,
// and an id found in two of them was given twice. One probe per row of the
// smaller table into the other's index (about 1 s at a million premises).
std::optional<Error> shared_id(Db& db, ByteSource& source, const std::string& origin) {
  for (const auto& [a, b] : {std::pair{"premises", "subjects"}, std::pair{"subjects", "flags"},
                             std::pair{"premises", "flags"}}) {
    Stmt q(db, std::string("SELECT a.id FROM ") + a + " a WHERE EXISTS (SELECT 1 FROM " + b +
                   " b WHERE b.id = a.id) LIMIT 1");
    if (!q.step()) continue;
    const std::string id = q.text(0);
    int64_t first = 0, second = 0;
    (void)rescan(source, [&](int64_t line, const RegistryRecord& r) {
      if (record_key(r) == id) (first == 0 ? first : second) = line;
      return second == 0;
    });
    return duplicate_error(source, origin, id, second);
  }
  return std::nullopt;
}

// Reads a registry file from disk a piece at a time.
class FileSource : public ByteSource {
 public:
  explicit FileSource(int fd) : fd_(fd), buf_(1 << 20) {}
  ~FileSource() override { ::close(fd_); }
  Result<std::string_view> next() override {
    for (;;) {
      const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
      if (n >= 0) return std::string_view(buf_.data(), static_cast<std::size_t>(n));
      if (errno != EINTR) return make_error("registry.unreadable", std::string("read failed: ") + std::strerror(errno));
    }
  }
  Status rewind() override {
    if (::lseek(fd_, 0, SEEK_SET) < 0)
      return make_error("registry.unreadable", std::string("seek failed: ") + std::strerror(errno));
    return Ok{};
  }

 private:
  int fd_;
  std::vector<char> buf_;
};

// A text already in memory: one piece.
class TextSource : public ByteSource {
 public:
  explicit TextSource(std::string_view text) : text_(text) {}
  Result<std::string_view> next() override {
    const std::string_view piece = done_ ? std::string_view() : text_;
    done_ = true;
    return piece;
  }
  Status rewind() override {
    done_ = false;
    return Ok{};
  }

 private:
  std::string_view text_;
  bool done_ = false;
};

}  // namespace

Result<ImportReport> Cache::import_file(const std::string& path, const ImportOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return make_error("registry.not_a_file", path + ": is a directory, expected a registry export file");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error("registry.unreadable", path + ": cannot open for reading");
  FileSource source(fd);
  return import_stream(source, path, options);
}

Result<ImportReport> Cache::import_text(std::string_view text, const std::string& origin,
                                        const ImportOptions& options) {
  TextSource source(text);
  return import_stream(source, origin, options);
}

namespace {

// Premise text is read line by line, before the file's own places are all
// known: "400 E ADAMS ST SPRINGFIELD" read alone is the street ADAMS SAINT
// SPRINGFIELD, while CAD's "400 E ADAMS ST, SPRINGFIELD" is Adams St in
// Springfield. Once the file is in, the premises whose text gave no city are
// read again with every place the cache now holds (and the configured
// aliases), as a query is, and stored so when that finds a city.
void read_again_with_places(Db& db, const std::vector<std::pair<std::string, std::string>>& aliases) {
  Gazetteer places;
  {
    Stmt cities(db, "SELECT DISTINCT city FROM premises WHERE city IS NOT NULL AND city <> ''");
    while (cities.step()) places.add_place(cities.text_view(0));
  }
  for (const auto& [alias, place] : aliases) places.add_alias(alias, place);
  if (places.empty()) return;
  Stmt pending(db, "SELECT id, text FROM temp.import_placeless");
  Stmt update(db, R"sql(
    UPDATE premises SET display=?2, hno=?3, hns=?4, predir=?5, pretype=?6, name=?7, type=?8, postdir=?9,
                        unit=?10, unit_display=?11, city=?12, state=?13, zip=?14 WHERE id=?1)sql");
  while (pending.step()) {
    const auto a = normalize_address(pending.text_view(1), places, AddressSource::registry);
    if (!a || a->city.empty()) continue;
    const std::string id = pending.text(0), display = a->display();
    update.bind_static(1, id).bind_static(2, display)
        .bind_static(3, a->house_number).bind_static(4, a->house_suffix).bind_static(5, a->predir)
        .bind_static(6, a->pretype).bind_static(7, a->name).bind_static(8, a->type).bind_static(9, a->postdir)
        .bind_static(10, a->unit).bind_static(11, a->unit_display)
        .bind_static(12, a->city).bind_static(13, a->state).bind_static(14, a->zip);
    update.run();
  }
}

}  // namespace

Result<ImportReport> Cache::import_stream(ByteSource& source, const std::string& origin,
                                          const ImportOptions& options) {
  auto attempt = [&]() -> Result<ImportReport> {
    // A bad line anywhere rolls the whole transaction back, so the records
    // can be applied as they are read; whether the file is whole, and the
    // bytes the ones expected, is known only at its end, before the commit.
    FrameCheck frame(origin, options.legacy);
    LineReader reader(source, origin, frame);
    bool ended = false;
    // Whatever stopped the import, the verdict goes first to the source
    // (bytes that are not the ones expected say nothing about the file),
    // then to the frame (a cut-off or altered file, whatever its lines
    // say), then to what was found.
    auto settle = [&](std::optional<Error> found) -> Status {
      if (found && reader.source_failed()) return *found;
      if (!ended) {
        if (auto d = reader.drain(); !d) return d.error();
        ended = true;
      }
      if (auto v = source.verify(); !v) return v.error();
      if (auto f = frame.finish(); !f) return f.error();
      if (found) return *found;
      return Ok{};
    };
    auto refuse = [&](Error e) -> Error { return settle(std::move(e)).error(); };
    auto first = reader.next();
    if (!first) {
      // The first line's own error, as long as the bytes are the ones expected.
      if (reader.source_failed()) return first.error();
      if (auto d = reader.drain(); !d) return d.error();
      if (auto v = source.verify(); !v) return v.error();
      return first.error();
    }
    if (first && !*first) {
      ended = true;
      if (auto s = settle(std::nullopt); !s) return s.error();
      return make_error("registry.empty", origin + ": no records: not applied, previous data kept");
    }
    if (!frame.header() && !options.legacy) {
      if (auto s = settle(std::nullopt); !s) return s.error();
    }
    std::optional<HeaderRecord> header;
    std::optional<NumberedRecord> pending;
    int64_t header_line = 1;
    if (std::holds_alternative<HeaderRecord>((*first)->record)) {
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
        return refuse(make_error("registry.old_version", line_at(origin, header_line) + ": " +
                                                             report.mode + " version " + std::to_string(header->version) +
                                                             " is older than version " + std::to_string(current) +
                                                             " already applied"));
      const bool replace_all = report.mode == "snapshot";
      const bool whole = im.holds_snapshot();
      const std::string where = line_at(origin, header_line) + ": ";
      if ((!options.offered_mode.empty() && options.offered_mode != report.mode) ||
          (options.offered_version && *options.offered_version != report.version))
        return refuse(make_error("registry.offer_mismatch",
                                 where + "the registry offered " +
                                     (options.offered_mode.empty() ? std::string("a file") : options.offered_mode) +
                                     (options.offered_version ? " version " + std::to_string(*options.offered_version)
                                                              : std::string()) +
                                     ", and the file is " + report.mode + " version " +
                                     std::to_string(report.version) + "; previous data kept"));
      if (!replace_all && !whole)
        return refuse(make_error("registry.no_base", where + "a delta applies on top of a complete snapshot, and this "
                                                             "cache holds none: import a snapshot first; previous data kept"));
      if (!replace_all && header) {
        const int64_t base = header->base.value_or(header->version - 1);
        if (base != current || header->version <= base)
          return refuse(make_error("registry.base_mismatch",
                                   where + "delta version " + std::to_string(header->version) +
                                       " applies on top of version " + std::to_string(base) +
                                       ", and the cache holds version " + std::to_string(current) +
                                       "; previous data kept"));
      }
      // The registry's clock, when the file says when it was made: a
      // laptop's clock may be set wrong either way.
      const int64_t started = now_unix();
      std::optional<int64_t> created;
      if (header) created = parse_rfc3339(header->created);
      // The latest day a flag can have been validated on.
      const std::string today = iso_date_utc(created ? std::max(started, *created) : started);
      auto count_flags = [&] { return kept_count(im.db, "flags"); };
      // Flags lapsed since the cache opened are not what this file removes.
      delete_lapsed_flags(im.db, im.purge_as_of(), im.options.revalidate_days);
      const int64_t flags_before = count_flags();
      if (replace_all) begin_replace_all(im.db);

      // A snapshot whose header states no deletes starts from empty tables,
      // so a second record with one id is a primary-key conflict: plain
      // inserts find duplicates as they go, with nothing held for it. Deltas
      // (and snapshots with deletes) upsert, and keep a hash per record on
      // SQLite's temporary file instead.
      const bool keyed = replace_all && header && header->counts && header->counts->deletes == 0;
      const auto upsert = [&](const char* clause) { return keyed ? std::string() : std::string(clause); };
      Stmt put_premise(im.db, R"sql(
        INSERT INTO premises(id, display, hno, hns, predir, pretype, name, type, postdir, unit, unit_display,
                             city, state, zip, lat, lon)
        VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16))sql" + upsert(R"sql(
        ON CONFLICT(id) DO UPDATE SET display=?2, hno=?3, hns=?4, predir=?5, pretype=?6, name=?7, type=?8,
          postdir=?9, unit=?10, unit_display=?11, city=?12, state=?13, zip=?14, lat=?15, lon=?16)sql"));
      Stmt put_subject(im.db, R"sql(
        INSERT INTO subjects(id, name, born) VALUES(?1,?2,?3))sql" + upsert(R"sql(
        ON CONFLICT(id) DO UPDATE SET name=?2, born=?3)sql"));
      // Flags and history share premise_rows (schema v8): a flag is keyed
      // by its id alone (flags_id, a partial unique index), a history row by
      // its premise and incident.
      Stmt put_flag(im.db, R"sql(
        INSERT INTO premise_rows(rec, id, subject_id, premise_id, kind, code, note, audience, expires, validated)
        VALUES(0,?1,?2,?3,?4,?5,?6,?7,?8,?9))sql" + upsert(R"sql(
        ON CONFLICT(id) WHERE rec = 0 DO UPDATE SET subject_id=?2, premise_id=?3, kind=?4, code=?5, note=?6,
          audience=?7, expires=?8, validated=?9)sql"));
      Stmt put_history(im.db, R"sql(
        INSERT INTO premise_rows(rec, premise_id, id, at, detail) VALUES(1,?1,?2,?3,?4))sql" + upsert(R"sql(
        ON CONFLICT(premise_id, rec, id) DO UPDATE SET at=?3, detail=?4)sql"));
      Stmt del_flag(im.db, "DELETE FROM premise_rows WHERE rec=0 AND id=?1");
      Stmt del_subject(im.db, "DELETE FROM subjects WHERE id=?1");
      Stmt del_premise(im.db, "DELETE FROM premises WHERE id=?1");
      Stmt del_subject_flags(im.db, "DELETE FROM premise_rows WHERE subject_id=?1");
      Stmt del_premise_rows(im.db, "DELETE FROM premise_rows WHERE premise_id=?1");
      Stmt del_premise_aliases(im.db, "DELETE FROM premise_aliases WHERE premise_id=?1");
      Stmt put_alias(im.db, "INSERT OR IGNORE INTO premise_aliases(alias, premise_id) VALUES(?1,?2)");

      std::set<std::string> unknown;
      std::string display;

      // Every record's key hash and line, for the duplicate check: on SQLite's
      // temporary file, not in memory.
      // Hashes are no secret: their pages need no overwriting when freed.
      im.db.exec("PRAGMA temp.secure_delete=OFF");
      im.db.exec("DROP TABLE IF EXISTS temp.import_keys");
      im.db.exec("CREATE TEMP TABLE import_keys(h INTEGER, line INTEGER)");
      Stmt put_key(im.db, "INSERT INTO temp.import_keys(h, line) VALUES(?1,?2)");
      // Premise text whose reading found no city, read again once every
      // place of the cache and of this file is known (read_again_with_places).
      im.db.exec("DROP TABLE IF EXISTS temp.import_placeless");
      im.db.exec("CREATE TEMP TABLE import_placeless(id TEXT PRIMARY KEY, text TEXT NOT NULL)");
      Stmt put_placeless(im.db, "INSERT OR REPLACE INTO temp.import_placeless(id, text) VALUES(?1,?2)");
      // The keys of the flags and history rows a delta writes: only those
      // can leave a reference dangling (see the check below).
      im.db.exec("DROP TABLE IF EXISTS temp.import_flag_refs");
      im.db.exec("DROP TABLE IF EXISTS temp.import_history_refs");
      im.db.exec("CREATE TEMP TABLE import_flag_refs(id TEXT NOT NULL)");
      im.db.exec("CREATE TEMP TABLE import_history_refs(premise TEXT NOT NULL, incident TEXT NOT NULL)");
      Stmt put_flag_ref(im.db, "INSERT INTO temp.import_flag_refs(id) VALUES(?1)");
      Stmt put_history_ref(im.db, "INSERT INTO temp.import_history_refs(premise, incident) VALUES(?1,?2)");

      // Values are bound without copying: each record outlives its statement run.
      std::optional<std::pair<int64_t, std::string>> duplicate;  // line, key
      auto apply = [&](ReadyRecord& ready) -> bool {
        const int64_t line = ready.line;
        RegistryRecord& rec = ready.record;
        if (!keyed)
          put_key.bind(1, static_cast<int64_t>(std::hash<std::string>{}(record_key(rec))))
              .bind(2, line)
              .run();
        // A keyed insert that conflicts is an id given twice in this file.
        auto put = [&](Stmt& st) {
          try {
            st.run();
            return true;
          } catch (const SqlError& e) {
            if (!keyed || (e.rc & 0xff) != SQLITE_CONSTRAINT) throw;
            duplicate = {line, record_key(rec)};
            return false;
          }
        };
        if (auto* r = std::get_if<PremiseRecord>(&rec)) {
          static const NormalizedAddress kNone;
          const NormalizedAddress& a = r->address ? *r->address : kNone;
          if (!r->address) {
            ++report.coordinates_only;
            report.warnings.push_back(line_at(origin, line) + ": premise " + r->id +
                                      " has no usable address; it can only match by coordinates");
          } else if (a.intersection || a.house_number == "0") {
            warn_unfindable_text(report, origin, line, *r);
          }
          display = r->address ? a.display() : r->address_text;
          put_premise.bind_static(1, r->id)
              .bind_static(2, display)
              .bind_static(3, a.house_number).bind_static(4, a.house_suffix).bind_static(5, a.predir)
              .bind_static(6, a.pretype).bind_static(7, a.name).bind_static(8, a.type).bind_static(9, a.postdir)
              .bind_static(10, a.unit).bind_static(11, a.unit_display)
              .bind_static(12, a.city).bind_static(13, a.state).bind_static(14, a.zip)
              .bind_opt(15, r->lat).bind_opt(16, r->lon);
          if (!put(put_premise)) return false;
          // Read from its text (not civic) and no place found in it.
          if (r->address && a.city.empty() && !r->address_text.empty())
            if (auto plain = normalize_address(r->address_text, AddressSource::registry); plain && *plain == a)
              put_placeless.bind_static(1, r->id).bind_static(2, r->address_text).run();
          // A premise line states all its names: a delta that drops one drops it.
          if (!replace_all) del_premise_aliases.bind_static(1, r->id).run();
          for (const std::string& alias : r->aliases) put_alias.bind_static(1, alias).bind_static(2, r->id).run();
          ++report.premises;
        } else if (auto* s = std::get_if<SubjectRecord>(&rec)) {
          put_subject.bind_static(1, s->id).bind_blob_static(2, ready.sealed[0]).bind_blob_static(3, ready.sealed[1]);
          if (!put(put_subject)) return false;
          ++report.subjects;
        } else if (auto* f = std::get_if<FlagRecord>(&rec)) {
          if (const VocabularyEntry* v = find_code(f->code); v && v->kind == "sud" && f->kind != "sud") {
            // The code names a substance-use treatment record: filed under
            // another kind it would reach an officer's panel.
            report.warnings.push_back(line_at(origin, line) + ": flag " + f->id + " has code " + f->code +
                                      ", a substance-use treatment code (42 CFR Part 2): kind set to sud");
            f->kind = "sud";
          }
          if (f->kind == "sud" && f->audience != "clinician") {
            // 42 CFR Part 2 records never go to the whole car.
            f->audience = "clinician";
            report.warnings.push_back(line_at(origin, line) + ": flag " + f->id +
                                      " is kind sud; audience set to clinician");
          }
          if (f->validated > today) {
            // A typed year (2062 for 2026) would keep the flag from ever
            // coming due for re-validation.
            report.warnings.push_back(line_at(origin, line) + ": flag " + f->id + " was validated " + f->validated +
                                      ", after today: stored as validated " + today);
            f->validated = today;
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
          if (!put(put_flag)) return false;
          if (!replace_all) put_flag_ref.bind_static(1, f->id).run();
          ++report.flags;
        } else if (auto* h = std::get_if<HistoryRecord>(&rec)) {
          put_history.bind_static(1, h->premise)
              .bind_static(2, h->incident)
              .bind_static(3, h->at)
              .bind_blob_static(4, ready.sealed[0]);
          if (!put(put_history)) return false;
          if (!replace_all) put_history_ref.bind_static(1, h->premise).bind_static(2, h->incident).run();
          ++report.history;
        } else if (auto* d = std::get_if<DeleteRecord>(&rec)) {
          // Ids are one namespace across record types: a tombstone removes the
          // flag, subject or premise of that id, and cascades to what hangs on it.
          for (Stmt* del : {&del_flag, &del_subject, &del_premise, &del_subject_flags, &del_premise_rows,
                            &del_premise_aliases}) {
            del->bind_static(1, d->id);
            del->run();
          }
          ++report.deletes;
        }
        return true;
      };

      int64_t lines = 0;
      if (pending) {
        ReadyRecord first_record{pending->line, std::move(pending->record), {}};
        std::string aad;
        seal_fields(first_record, *im.cipher, aad);
        if (apply(first_record)) ++lines;
      }
      if (!duplicate) {
        RecordPipe pipe;
        std::thread producer([&] { produce(reader, frame, origin, im.cipher_key, pipe); });
        struct Join {
          RecordPipe& pipe;
          std::thread& t;
          ~Join() {
            pipe.abandon();
            t.join();
          }
        } join{pipe, producer};
        while (!duplicate) {
          RecordPipe::Batch batch = pipe.pop();
          if (batch.empty()) break;
          for (ReadyRecord& r : batch)
            if (!apply(r)) break;
          lines += static_cast<int64_t>(batch.size());
        }
        if (!duplicate)
          if (auto error = pipe.error()) return refuse(*error);
      }  // the producer is stopped and joined here
      if (duplicate) {
        // Named once the bytes are known to be the ones expected and the
        // file whole: by the line that gave the id first.
        if (auto s = settle(std::nullopt); !s) return s.error();
        return duplicate_error(source, origin, duplicate->second, duplicate->first);
      }
      // The file has ended: only now is it known to be whole and the bytes
      // expected. Nothing below runs on bytes that are not.
      ended = true;
      if (auto s = settle(std::nullopt); !s) return s.error();

      if (replace_all) end_replace_all(im.db);
      read_again_with_places(im.db, im.options.place_aliases);

      if (keyed) {
        if (auto dup = shared_id(im.db, source, origin)) return *dup;
      } else if (auto dup = first_duplicate(im.db, source, origin)) {
        return *dup;
      }
      const RecordCounts read{report.premises, report.subjects, report.flags, report.history, report.deletes};
      if (frame.trailer() && read != frame.trailer()->counts)
        return make_error("registry.incomplete", line_at(origin, header_line) + ": the file holds " +
                                                     counts_text(read) + "; its trailer states " +
                                                     counts_text(frame.trailer()->counts) +
                                                     ": not applied, previous data kept");
      // A flag that arrives past its expiry or re-validation date is never
      // shown; kept, it would count in flags_held until the next open.
      // As of the registry's day when the file gives it and the clock reads
      // later: a clock set ahead must not delete flags in force.
      report.flags_lapsed =
          delete_lapsed_flags(im.db, created ? std::min(started, *created) : started, im.options.revalidate_days);
      if (report.flags_lapsed > 0)
        report.warnings.push_back(
            where + std::to_string(report.flags_lapsed) +
            (report.flags_lapsed == 1 ? " flag is past its" : " flags are past their") + " expires date" +
            (im.options.revalidate_days
                 ? " or not re-validated within " + std::to_string(*im.options.revalidate_days) + " days"
                 : std::string()) +
            ": not kept");
      report.flags_held = count_flags();
      const int64_t removed = flags_before - report.flags_held;
      // A delta that deletes most of the flags is the same danger as such a
      // snapshot (a registry bug, a wrong export): every panel would say
      // "no flags". Small caches change by whole percents with every delta,
      // so a delta must also remove at least kMinDeltaShrink flags.
      constexpr int64_t kMinDeltaShrink = 10;
      if (!options.allow_shrink && removed > 0 && (replace_all || removed >= kMinDeltaShrink) &&
          removed * 100 > static_cast<int64_t>(im.options.max_snapshot_shrink_pct) * flags_before)
        return make_error("registry.shrink",
                          where + "this " + (replace_all ? "snapshot" : "delta") + " would remove " +
                              std::to_string(removed) + " of the cache's " +
                              std::to_string(flags_before) + " flags, more than cache.max_snapshot_shrink_pct = " +
                              std::to_string(im.options.max_snapshot_shrink_pct) +
                              "%; if the registry really shrank, import it with --allow-shrink; previous data kept");

      // References, checked once over the final state (foreign keys are off
      // for the load). The first dangling one is named with its line, found
      // again in the text only now that it is needed. A snapshot's rows are
      // all new, so all are checked: flags and history are clustered by
      // premise, so these scans probe the parent keys in order. A delta
      // applies on a cache whose references held (every import checked them,
      // and deletes cascade), so only the flags and history rows it wrote can
      // dangle: checking those costs what the delta holds, not what the cache
      // does (the whole scans took about 3 s at a million premises). Either
      // way the same row is named first: by premise, then id or incident.
      {
        // A snapshot's flags and history in one scan of premise_rows, each
        // premise once (rows are clustered by premise, so the distinct ids
        // come in key order and the probes walk the premises index in
        // order); only a dangling one costs a second look, and is named by
        // its first flag, else its first history row.
        Stmt fp(im.db, replace_all ? "SELECT r.premise_id FROM (SELECT DISTINCT premise_id FROM premise_rows) r WHERE "
                                     "NOT EXISTS (SELECT 1 FROM premises p WHERE p.id = r.premise_id) LIMIT 1"
                                   : "SELECT f.premise_id FROM temp.import_flag_refs r JOIN flags f ON f.id = r.id "
                                     "WHERE NOT EXISTS (SELECT 1 FROM premises p WHERE p.id = f.premise_id) "
                                     "ORDER BY f.premise_id LIMIT 1");
        std::optional<std::string> history_premise;
        if (fp.step()) {
          const std::string premise = fp.text(0);
          Stmt one(im.db, "SELECT id FROM flags WHERE premise_id = ?1 ORDER BY id LIMIT 1");
          one.bind(1, premise);
          if (one.step()) return dangling_flag(source, origin, one.text(0), "premise " + premise);
          history_premise = premise;
        }
        Stmt fs(im.db, replace_all ? "SELECT f.id, f.subject_id FROM flags f WHERE f.subject_id IS NOT NULL AND NOT "
                                     "EXISTS (SELECT 1 FROM subjects s WHERE s.id = f.subject_id) LIMIT 1"
                                   : "SELECT f.id, f.subject_id FROM temp.import_flag_refs r JOIN flags f ON f.id = r.id "
                                     "WHERE f.subject_id IS NOT NULL AND NOT EXISTS "
                                     "(SELECT 1 FROM subjects s WHERE s.id = f.subject_id) "
                                     "ORDER BY f.premise_id, f.id LIMIT 1");
        if (fs.step())
          return dangling_flag(source, origin, fs.text(0), "subject " + fs.text(1));
        if (!replace_all) {  // a snapshot's history was in the scan above
          Stmt hp(im.db, "SELECT h.premise_id FROM temp.import_history_refs r JOIN history h "
                         "ON h.premise_id = r.premise AND h.incident = r.incident WHERE NOT EXISTS "
                         "(SELECT 1 FROM premises p WHERE p.id = h.premise_id) ORDER BY h.premise_id LIMIT 1");
          if (hp.step()) history_premise = hp.text(0);
        }
        if (history_premise) {
          const std::string premise = *history_premise;
          Stmt one(im.db, "SELECT incident FROM history WHERE premise_id = ?1 ORDER BY incident LIMIT 1");
          one.bind(1, premise);
          one.step();
          const std::string incident = one.text(0);
          const int64_t line = last_line_of(source, [&](const RegistryRecord& rec) {
            const auto* h = std::get_if<HistoryRecord>(&rec);
            return h && h->premise == premise && h->incident == incident;
          });
          return make_error("registry.dangling_reference",
                            line_at(origin, line) + ": history " + incident + " refers to premise " +
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
      sqlite3_exec(im.db.get(), "DROP TABLE IF EXISTS temp.import_keys", nullptr, nullptr, nullptr);
      sqlite3_exec(im.db.get(), "DROP TABLE IF EXISTS temp.import_placeless", nullptr, nullptr, nullptr);
      sqlite3_exec(im.db.get(), "DROP TABLE IF EXISTS temp.import_flag_refs", nullptr, nullptr, nullptr);
      sqlite3_exec(im.db.get(), "DROP TABLE IF EXISTS temp.import_history_refs", nullptr, nullptr, nullptr);
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
