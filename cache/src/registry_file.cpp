// The completeness lines of an export v1 file, the header's record counts
// and the trailer: written here, and checked here before an import writes
// anything. Pure: text in, text or a verdict out.
#include <Poco/JSON/Object.h>

#include <algorithm>
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

Error incomplete(const std::string& origin, int64_t line, const std::string& why) {
  return make_error("registry.incomplete", origin + ":" + std::to_string(line) + ": " + why +
                                               ": not applied, previous data kept");
}

}  // namespace

Result<RegistryFrame> frame_registry_file(std::string_view text, const std::string& origin, bool legacy) {
  RegistryFrame f;
  f.body = text;
  // The last non-blank line: where it starts and ends.
  std::optional<std::size_t> last_start;
  std::size_t end = text.size();
  for (;;) {
    const std::size_t nl = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
    const std::size_t from = nl == std::string_view::npos ? 0 : nl + 1;
    if (text.substr(from, end - from).find_first_not_of(" \t\r") != std::string_view::npos) {
      last_start = from;
      break;
    }
    if (from == 0) break;
    end = from - 1;
  }
  if (!last_start)
    return make_error("registry.empty", origin + ": no records (an empty file is never a registry export): "
                                                 "not applied, previous data kept");
  // The first non-blank line: a header, or (legacy) the first record.
  int64_t first_line = 1;
  std::size_t pos = 0;
  for (;; ++first_line) {
    const std::size_t nl = std::min(text.find('\n', pos), text.size());
    const std::string_view line = text.substr(pos, nl - pos);
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      auto first = parse_registry_line(line);
      if (!first)
        return make_error(first.error().code,
                          origin + ":" + std::to_string(first_line) + ": " + first.error().message);
      if (auto* h = std::get_if<HeaderRecord>(&*first)) f.header = *h;
      break;
    }
    pos = nl + 1;
  }
  if (!f.header && !legacy)
    return make_error("registry.no_header",
                      origin + ":1: the file does not start with a header line; files from before export v1 "
                               "headers are applied only with the legacy option (cache import --legacy)");
  if (f.header) {
    auto last = parse_registry_line(text.substr(*last_start, end - *last_start));
    if (last && std::holds_alternative<TrailerRecord>(*last)) {
      f.trailer = std::get<TrailerRecord>(*last);
      f.body = text.substr(0, *last_start);
    }
  }
  const bool legacy_form = !f.header || (!f.trailer && !f.header->counts);
  if (legacy_form && legacy) return f;
  const int64_t last_line = static_cast<int64_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*last_start), '\n')) + 1;
  if (!f.trailer)
    return incomplete(origin, last_line, "the file ends without a trailer line (cut off, or not a complete export)");
  if (sha256_hex(f.body) != f.trailer->sha256)
    return incomplete(origin, last_line, "the SHA-256 of the file does not match its trailer (altered or damaged)");
  if (f.header->mode == "snapshot" && !f.header->counts)
    return incomplete(origin, 1, "the snapshot header states no record counts");
  if (f.header->counts && *f.header->counts != f.trailer->counts)
    return incomplete(origin, last_line, "the trailer's record counts differ from the header's");
  return f;
}


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
