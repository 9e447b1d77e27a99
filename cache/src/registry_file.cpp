// The completeness lines of an export v1 file, the header's record counts
// and the trailer: written here, and checked here before an import writes
// anything. Pure: text in, text or a verdict out.
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <sstream>

#include "field_cipher.h"
#include "mdtc/registry_line.h"
#include "registry_frame.h"

namespace mdtc::cache {

std::string line_at(const std::string& origin, int64_t line) {
  return origin + (origin.find(' ') == std::string::npos ? ":" : ", line ") + std::to_string(line);
}

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
  return make_error("registry.incomplete", line_at(origin, line) + ": " + why +
                                               ": not applied, previous data kept");
}

}  // namespace

void FrameCheck::line(int64_t number, const RegistryRecord* record, const Sha256& before, const Error* failure) {
  last_failure_ = record || !failure ? std::string() : failure->message;
  if (first_ == 0) {
    first_ = number;
    if (record)
      if (const auto* h = std::get_if<HeaderRecord>(record)) header_ = *h;
  }
  last_ = number;
  if (trailer_) {
    // Something follows the trailer: it was not the last line.
    if (misplaced_ == 0) misplaced_ = trailer_line_;
    trailer_.reset();
    trailer_line_ = 0;
  }
  const auto* t = record ? std::get_if<TrailerRecord>(record) : nullptr;
  if (!t) return;
  if (!header_) {
    // A header-less (legacy) file has no trailer: this one is a record out of place.
    if (misplaced_ == 0) misplaced_ = number;
    return;
  }
  trailer_ = *t;
  trailer_line_ = number;
  body_sha256_ = before.hex();
}

Status FrameCheck::finish() const {
  if (first_ == 0)
    return make_error("registry.empty", origin_ + ": no records (an empty file is never a registry export): "
                                                  "not applied, previous data kept");
  if (!header_ && !legacy_)
    return make_error("registry.no_header",
                      line_at(origin_, 1) + ": the file does not start with a header line; files from before export v1 "
                                "headers are applied only with the legacy option (cache import --legacy)");
  const bool legacy_form = !header_ || (!trailer_ && !header_->counts);
  if (legacy_form && legacy_) return Ok{};
  if (!trailer_ && !last_failure_.empty())
    return incomplete(origin_, last_, "the last line is no valid trailer (" + last_failure_ +
                                          "), or the file is cut off");
  if (!trailer_)
    return incomplete(origin_, last_, "the file ends without a trailer line (cut off, or not a complete export)");
  if (body_sha256_ != trailer_->sha256)
    return incomplete(origin_, last_, "the SHA-256 of the file does not match its trailer (altered or damaged)");
  if (header_->mode == "snapshot" && !header_->counts)
    return incomplete(origin_, 1, "the snapshot header states no record counts");
  if (header_->counts && *header_->counts != trailer_->counts)
    return incomplete(origin_, last_, "the trailer's record counts differ from the header's");
  return Ok{};
}

Result<RegistryFrame> frame_registry_file(std::string_view text, const std::string& origin, bool legacy) {
  // The same check the streaming import makes, over a text in memory.
  FrameCheck check(origin, legacy);
  Sha256 hash;
  std::size_t pos = 0, trailer_start = text.size();
  int64_t number = 0;
  bool seen = false;  // a non-blank line
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    const std::string_view line = text.substr(pos, end - pos);
    ++number;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      auto parsed = parse_registry_line(line);
      if (!parsed && !seen)
        return make_error(parsed.error().code, line_at(origin, number) + ": " + parsed.error().message);
      seen = true;
      check.line(number, parsed ? &*parsed : nullptr, hash, parsed ? nullptr : &parsed.error());
      if (check.trailer_line() == number) trailer_start = pos;
    }
    hash.update(text.substr(pos, (nl == std::string_view::npos ? text.size() : nl + 1) - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  if (auto s = check.finish(); !s) return s.error();
  RegistryFrame f;
  f.header = check.header();
  f.trailer = check.trailer();
  f.body = f.trailer ? text.substr(0, trailer_start) : text;
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
