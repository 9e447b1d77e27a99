// One line of a flag registry export v1 (JSON Lines) parsed into a record.
// Pure: a string_view in, a record or an Error out; never throws, so it can be
// fuzzed alone. The importer adds the file name and line number to errors.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mdtc/address.h"
#include "mdtc/result.h"

namespace mdtc::cache {

struct HeaderRecord {
  std::string mode;  // "snapshot" or "delta"
  int64_t version = 0;
  std::string created;
  bool operator==(const HeaderRecord&) const = default;
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
                                    HistoryRecord, DeleteRecord>;

// Error codes: registry.too_long, registry.bad_json, registry.not_object,
// registry.unknown_type, registry.missing_field, registry.bad_field.
Result<RegistryRecord> parse_registry_line(std::string_view line);

// The same, always through the general JSON parser (Poco::JSON). The result
// is the same as parse_registry_line's for every input; this exists so the
// fuzz target and tests can check that the fast path agrees with it.
Result<RegistryRecord> parse_registry_line_general(std::string_view line);

// Calendar checks shared with the importer: "2026-02-30" is not a date.
bool is_iso_date(std::string_view s);
bool is_rfc3339(std::string_view s);

}  // namespace mdtc::cache
