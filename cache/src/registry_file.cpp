// Writing the completeness lines of an export v1 file: the header's record
// counts and the trailer. The importer checks exactly what these write.
#include <Poco/JSON/Object.h>

#include <sstream>

#include "field_cipher.h"
#include "mdtc/registry_line.h"

namespace mdtc::cache {
namespace {

void set_counts(Poco::JSON::Object& o, const RecordCounts& c) {
  o.set("premises", c.premises);
  o.set("subjects", c.subjects);
  o.set("flags", c.flags);
  o.set("history", c.history);
  o.set("deletes", c.deletes);
}

std::string line_of(const Poco::JSON::Object& o) {
  std::ostringstream out;
  o.stringify(out);
  return out.str();
}

}  // namespace

std::string registry_trailer(std::string_view preceding, const RecordCounts& counts) {
  Poco::JSON::Object t(Poco::JSON_PRESERVE_KEY_ORDER);
  t.set("type", "trailer");
  set_counts(t, counts);
  t.set("sha256", sha256_hex(preceding));
  return line_of(t);
}

Result<std::string> complete_registry_file(std::string_view text) {
  std::optional<HeaderRecord> header;
  RecordCounts counts;
  std::string body;
  std::size_t pos = 0;
  int64_t line_no = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    auto r = parse_registry_line(line);
    if (!r) return make_error(r.error().code, "line " + std::to_string(line_no) + ": " + r.error().message);
    if (auto* h = std::get_if<HeaderRecord>(&*r)) {
      if (header) return make_error("registry.misplaced_header", "line " + std::to_string(line_no) + ": a second header");
      header = *h;
      continue;
    }
    if (!header && !std::holds_alternative<BlankRecord>(*r))
      return make_error("registry.no_header", "line " + std::to_string(line_no) + ": the first record is not a header");
    if (std::holds_alternative<TrailerRecord>(*r) || std::holds_alternative<BlankRecord>(*r)) continue;
    if (std::holds_alternative<PremiseRecord>(*r)) ++counts.premises;
    else if (std::holds_alternative<SubjectRecord>(*r)) ++counts.subjects;
    else if (std::holds_alternative<FlagRecord>(*r)) ++counts.flags;
    else if (std::holds_alternative<HistoryRecord>(*r)) ++counts.history;
    else if (std::holds_alternative<DeleteRecord>(*r)) ++counts.deletes;
    body.append(line);
    body += '\n';
  }
  if (!header) return make_error("registry.no_header", "no header line");
  Poco::JSON::Object h(Poco::JSON_PRESERVE_KEY_ORDER);
  h.set("type", "header");
  h.set("mode", header->mode);
  h.set("version", header->version);
  if (!header->created.empty()) h.set("created", header->created);
  if (header->base) h.set("base", *header->base);
  set_counts(h, counts);
  std::string out = line_of(h) + "\n" + body;
  out += registry_trailer(out, counts) + "\n";
  return out;
}

}  // namespace mdtc::cache
