// One line of a flag registry export v1 (JSON Lines) parsed into a record.
// Pure: a string_view in, a record or an Error out; never throws, so it can be
// fuzzed alone. The importer adds the file name and line number to errors.
#pragma once

#include "mdtc/time_text.h"
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mdtc/address.h"
#include "mdtc/result.h"

namespace mdtc::cache {

// How many records of each kind a file holds: stated by a snapshot's header
// and by every trailer, and checked against what was read.
struct RecordCounts {
  int64_t premises = 0, subjects = 0, flags = 0, history = 0, deletes = 0;
  bool operator==(const RecordCounts&) const = default;
};

struct HeaderRecord {
  std::string mode;  // "snapshot" or "delta"
  int64_t version = 0;
  std::string created;
  std::optional<int64_t> base;         // a delta's base version; absent = version - 1
  std::optional<RecordCounts> counts;  // present when the header has "flags" (then all five)
  bool operator==(const HeaderRecord&) const = default;
};

// The last line of a complete file: its counts and the SHA-256 (lower-case
// hex) of every byte before this line. A file cut off anywhere lacks it.
struct TrailerRecord {
  RecordCounts counts;
  std::string sha256;
  bool operator==(const TrailerRecord&) const = default;
};

struct PremiseRecord {
  std::string id;
  std::string address_text;           // as given (may be empty when civic is given)
  std::optional<NormalizedAddress> address;  // empty only for a coordinates-only premise
  std::optional<double> lat, lon;
  // Common place names ("SPRINGFIELD HIGH SCHOOL", "SHS"), as match keys:
  // upper case, punctuation folded, distinct, in the order given.
  std::vector<std::string> aliases;
  bool operator==(const PremiseRecord&) const = default;
};

struct SubjectRecord {
  std::string id, name, born;
  bool operator==(const SubjectRecord&) const = default;
};

struct FlagRecord {
  std::string id, subject, premise;
  std::string kind;      // safety | care | sud
  std::string code;      // upper-case
  std::string note;
  std::string audience;  // all | clinician
  std::string expires, validated;  // YYYY-MM-DD or empty
  bool audience_defaulted = false;
  bool operator==(const FlagRecord&) const = default;
};

struct HistoryRecord {
  std::string premise, incident, at, call_type, disposition;
  bool operator==(const HistoryRecord&) const = default;
};

struct DeleteRecord {
  std::string id;
  bool operator==(const DeleteRecord&) const = default;
};

struct BlankRecord {
  bool operator==(const BlankRecord&) const = default;
};

using RegistryRecord = std::variant<BlankRecord, HeaderRecord, PremiseRecord, SubjectRecord, FlagRecord,
                                    HistoryRecord, DeleteRecord, TrailerRecord>;

// The longest line a file may hold (a longer one is registry.too_long).
inline constexpr std::size_t kMaxRegistryLineBytes = 64 * 1024;

// Error codes: registry.too_long, registry.bad_json, registry.not_object,
// registry.unknown_type, registry.missing_field, registry.bad_field.
Result<RegistryRecord> parse_registry_line(std::string_view line);

// The same, always through the general JSON parser (Poco::JSON). The result
// is the same as parse_registry_line's for every input; this exists so the
// fuzz target and tests can check that the fast path agrees with it.
Result<RegistryRecord> parse_registry_line_general(std::string_view line);

// A complete export v1 file from `text`, whose first line is a header
// (mode, version, created; counts and a trailer, if any, are replaced) and
// whose other lines are records: the header gains the record counts and the
// file ends with its trailer. For registries and test fixtures that write
// records first and count them after. Errors: those of parse_registry_line,
// with the line number; registry.no_header.
Result<std::string> complete_registry_file(std::string_view text);

// The trailer line (without newline) for `preceding`, every byte before it.
std::string registry_trailer(std::string_view preceding, const RecordCounts& counts);

// What the first and last lines of a whole file say about it, checked
// before anything is applied. `body` is the text before the trailer line
// (header included); its records are still to be read and counted against
// the trailer. `legacy` accepts a header without counts and trailer, or no
// header. Errors: registry.empty, registry.no_header, registry.incomplete
// (with FILE:LINE), or the first record's line error.
struct RegistryFrame {
  std::optional<HeaderRecord> header;
  std::optional<TrailerRecord> trailer;
  std::string_view body;
};
Result<RegistryFrame> frame_registry_file(std::string_view text, const std::string& origin, bool legacy);

// Calendar checks ("2026-02-30" is not a date): is_iso_date and is_rfc3339
// in mdtc/time_text.h.

}  // namespace mdtc::cache
