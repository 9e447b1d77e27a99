// Layering and validation: defaults < files in order < environment. Every
// problem is collected with where it came from, so one run of `config check`
// shows everything a fleet admin has to fix.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "ini_reader.h"
#include "key_table.h"
#include "mdtc/config.h"
#include "mdtc/shared_state.h"
#include "spelling_suggestion.h"

extern char** environ;

namespace mdtc::config {
namespace {

using detail::KeySpec;

// A fleet config is a few kilobytes; anything near this is not a config file.
constexpr std::size_t kMaxFileBytes = 1024 * 1024;

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>((c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c);
  return out;
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return out;
}

std::string full_name(const KeySpec& spec) {
  return std::string(spec.section) + "." + std::string(spec.key);
}

std::string shown_value(std::string_view value) {
  return value.empty() ? std::string("(empty)") : detail::printable(value);
}

struct Provenance {
  std::string origin = "defaults";
  int line = 0;
  std::string where = "defaults";  // "fleet.ini:7" or "environment MDTC_GPS_BAUD"
};

class Loader {
 public:
  Report finish() {
    require_identity();
    warn_shared_identity();
    cross_check();
    refuse_exposed_secrets();
    in_reading_order(problems_);
    read_schedule();  // its own file, after the layers that name it
    return Report{config_, std::move(problems_), std::move(warnings_)};
  }

  // Layer by layer, and within a layer by line, as an admin reads the files:
  // a conflict found after every file was read still goes where it was written.
  // Problems about the whole (a missing identity) come last.
  void in_reading_order(std::vector<Problem>& problems) const {
    auto rank = [this](const Problem& p) {
      const auto it = std::find(layers_.begin(), layers_.end(), p.origin);
      return std::pair<std::ptrdiff_t, int>(it - layers_.begin(), p.line);
    };
    std::stable_sort(problems.begin(), problems.end(),
                     [&](const Problem& a, const Problem& b) { return rank(a) < rank(b); });
  }

  void apply_text(std::string_view text, const std::string& origin) {
    layers_.push_back(origin);
    read_.push_back(origin);
    const std::size_t first = problems_.size();
    const std::size_t first_warning = warnings_.size();
    detail::IniDocument doc = detail::parse_ini(text);
    for (const auto& p : doc.problems) add(p.code, origin, p.line, p.key, p.text);

    for (const auto& section : doc.sections) {
      if (detail::is_known_section(section.name)) continue;
      std::vector<std::string> names;
      for (auto s : detail::known_sections()) names.emplace_back(s);
      auto guess = detail::closest(section.name, names);
      std::string hint = guess ? "did you mean [" + *guess + "]?" : "known sections: " + join(names);
      add("config.unknown_section", origin, section.line, "",
          "[" + detail::printable(section.name) + "]: unknown section (" + hint + ")");
    }

    for (const auto& entry : doc.entries) {
      // Keys under an unknown section were covered by the section's error.
      if (!detail::is_known_section(entry.section)) continue;
      std::string name = entry.section + "." + entry.key;
      const KeySpec* spec = detail::find_key(entry.section, entry.key);
      if (!spec) {
        add("config.unknown_key", origin, entry.line, name,
            detail::printable(name) + ": unknown key (" + key_hint(entry.section, entry.key) + ")");
        continue;
      }
      set(*spec, entry.value, Provenance{origin, entry.line, origin + ":" + std::to_string(entry.line)});
      if (!entry.quoted) warn_inline_comment(name, entry.value, origin, entry.line);
    }
    // The reader finds syntax problems before the loader judges values: put
    // them back in the order an admin reads the file.
    auto by_line = [](const Problem& a, const Problem& b) { return a.line < b.line; };
    std::stable_sort(problems_.begin() + static_cast<std::ptrdiff_t>(first), problems_.end(), by_line);
    std::stable_sort(warnings_.begin() + static_cast<std::ptrdiff_t>(first_warning), warnings_.end(), by_line);
  }

  void apply_file(const std::string& path) {
    std::string text;
    if (auto error = read_file(path, text); !error.empty()) {
      layers_.push_back(path);
      add(error == "too large" ? "config.too_large" : "config.missing_file", path, 0, "",
          error == "too large" ? "file is larger than 1 MiB: expected a configuration file"
                               : "cannot read: " + error + " (expected a readable INI file)");
      return;
    }
    apply_text(text, path);
  }

  void apply_environment(const std::map<std::string, std::string>& env) {
    for (const auto& [name, raw_value] : env) {
      if (name.rfind("MDTC_", 0) != 0) continue;
      std::string rest = name.substr(5);
      std::string section;
      for (auto s : detail::known_sections()) {
        std::string prefix = upper(s) + "_";
        if (rest.rfind(prefix, 0) == 0) section = std::string(s);
      }
      // MDTC_ variables of no known section belong to something else
      // (test harnesses, the stubs), unless they are a letter or two from
      // one of ours: MDTC_CAHCE_DB was ignored, and the car ran on the
      // default cache while the admin believed it set.
      if (section.empty()) {
        std::vector<std::string> names;
        for (const auto& k : known_keys()) names.push_back(k.env_name());
        if (auto guess = detail::closest(name, names))
          problems_.push_back({"config.unknown_key", "environment", 0, name,
                               "config environment " + name + ": unknown setting (did you mean " + *guess + "?)"});
        continue;
      }
      std::string key = lower(rest.substr(section.size() + 1));
      std::string where = "environment " + name;
      if (layers_.empty() || layers_.back() != "environment") layers_.push_back("environment");
      const KeySpec* spec = detail::find_key(section, key);
      if (!spec) {
        std::string hint;
        std::vector<std::string> names;
        for (const auto& k : known_keys()) names.push_back(k.env_name());
        auto guess = detail::closest(name, names);
        hint = guess ? "did you mean " + *guess + "?" : "known: MDTC_<SECTION>_<KEY> for each key";
        problems_.push_back({"config.unknown_key", "environment", 0, section + "." + key,
                             "config " + where + ": unknown setting (" + hint + ")"});
        continue;
      }
      std::string_view value = raw_value;
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
      set(*spec, value, Provenance{"environment", 0, where});
    }
  }

 private:
  static std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  }

  static std::string key_hint(const std::string& section, const std::string& key) {
    std::vector<std::string> same_section;
    for (const auto& spec : detail::key_table()) {
      if (spec.section == section) same_section.emplace_back(spec.key);
    }
    if (auto guess = detail::closest(key, same_section)) return "did you mean " + section + "." + *guess + "?";
    // A right key in the wrong section: "[cad] db" is cache.db.
    for (const auto& spec : detail::key_table()) {
      if (spec.key == key) return "did you mean " + full_name(spec) + "?";
    }
    return "known keys in [" + section + "]: " + join(same_section);
  }

  static std::string read_file(const std::string& path, std::string& out) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::strerror(errno);
    struct stat st {};
    std::string error;
    if (::fstat(fd, &st) != 0) {
      error = std::strerror(errno);
    } else if (S_ISDIR(st.st_mode)) {
      error = "is a directory";
    } else {
      char buf[65536];
      for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          error = std::strerror(errno);
          break;
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > kMaxFileBytes) {
          error = "too large";
          break;
        }
      }
    }
    ::close(fd);
    return error;
  }

  void add(const std::string& code, const std::string& origin, int line, const std::string& key,
           const std::string& text) {
    std::string where = line > 0 ? origin + ":" + std::to_string(line) : origin;
    problems_.push_back({code, origin, line, key, "config " + where + ": " + text});
  }

  void set(const KeySpec& spec, std::string_view value, const Provenance& from) {
    std::string name = full_name(spec);
    attempted_.insert(name);
    if (!detail::apply(spec, value, config_)) {
      problems_.push_back({"config.bad_value", from.origin, from.line, name,
                           "config " + from.where + ": " + name + " = " + shown_value(value) + ": " +
                               detail::expected(spec)});
      return;
    }
    provenance_[name] = from;
  }

  bool was_set(const std::string& key) const { return provenance_.count(key) > 0; }

  // The unit's identity belongs in its own file, the last one read: set in
  // an earlier (fleet) file it would be every car's.
  void warn_shared_identity() {
    const std::vector<std::string>& files = read_;
    if (files.size() < 2) return;
    for (const char* key : {"unit.id", "unit.role"}) {
      const auto it = provenance_.find(key);
      if (it == provenance_.end() || it->second.origin == "environment" || it->second.origin == files.back())
        continue;
      warnings_.push_back({"config.identity_in_shared_file", it->second.origin, it->second.line, key,
                           "config " + it->second.where + ": " + key + " is set in " + it->second.origin +
                               ", which is not the last file read (" + files.back() +
                               "): every car reading it gets this " + key + "; set it in the unit's own file"});
    }
  }

  // INI has no inline comments: "db = /x/cache.db ; default" sets the path
  // "/x/cache.db ; default". Quoting the value says the text is meant.
  void warn_inline_comment(const std::string& name, std::string_view value, const std::string& origin, int line) {
    for (std::string_view marker : {" ;", " #", "\t;", "\t#"}) {
      if (value.find(marker) == std::string_view::npos) continue;
      warnings_.push_back({"config.inline_comment", origin, line, name,
                           "config " + origin + ":" + std::to_string(line) + ": " + name + " = " +
                               detail::printable(value) + ": '" + std::string(1, marker[1]) +
                               "' after a value is not a comment, it is part of the value: put a comment on "
                               "its own line, or wrap the value in double quotes if the text is meant"});
      return;
    }
  }

  // A unit's identity has no default: a car without one would take another
  // car's dispatches.
  std::string layers_text() const {
    std::string where;
    for (const auto& l : layers_) where += (where.empty() ? "" : " + ") + l;
    return where.empty() ? "(no configuration file)" : where;
  }

  void require_identity() {
    const std::string where = layers_text();
    for (const auto& spec : detail::key_table()) {
      const std::string name = full_name(spec);
      if (!spec.required || attempted_.count(name)) continue;
      problems_.push_back({"config.missing_key", where, 0, name,
                           "config " + where + ": " + name + " is not set: " + detail::expected(spec) +
                               " (a unit's identity has no default; set it in the unit's own file)"});
    }
  }

  // The key files named by the configuration hold secrets; one readable by
  // group or others is refused here, so `config check`, doctor and the
  // plugin's start refuse it alike. A file that is not there yet is the
  // doctor's business: the config may be checked on another machine.
  void refuse_exposed_secrets() {
    const Config& c = config_;
    const std::pair<std::string, std::string> secrets[] = {
        {"cad.client_key_file", c.cad_client_key_file},
        {"registry.client_key_file", c.registry_client_key_file},
        {c.cache_key_file.empty() ? "cache.db" : "cache.key_file",
         c.cache_key_file.empty() ? c.cache_db + ".key" : c.cache_key_file},
    };
    for (const auto& [key, path] : secrets) {
      if (path.empty()) continue;
      const std::string why = secret_file_exposure(path);
      if (why.empty()) continue;
      const auto it = provenance_.find(key);
      // The default cache path was written nowhere: name what was read.
      const Provenance from = it == provenance_.end() ? Provenance{layers_text(), 0, layers_text()} : it->second;
      problems_.push_back({"config.secret_exposed", from.origin, from.line, key,
                           "config " + from.where + ": " + key + ": key file " + path + " " + why +
                               ": expected 0600 (owner only); fix: chmod 600 " + path});
    }
  }

  void conflict(const std::string& key, const std::string& text) {
    const auto it = provenance_.find(key);
    const Provenance from = it == provenance_.end() ? Provenance{} : it->second;
    problems_.push_back({"config.conflict", from.origin, from.line, key, "config " + from.where + ": " + text});
  }

  void cross_check() {
    const Config& c = config_;
    if (!c.cad_server_public_key.empty() && c.cad_client_key_file.empty()) {
      conflict("cad.server_public_key",
               "cad.server_public_key is set but cad.client_key_file is empty: expected both "
               "(CURVE needs this unit's key pair)");
    }
    if (c.cad_server_public_key.empty() && !c.cad_client_key_file.empty()) {
      conflict("cad.client_key_file",
               "cad.client_key_file is set but cad.server_public_key is empty: expected both, "
               "or neither to run the CAD link without CURVE");
    }
    if (c.cad_subscribe_endpoint == c.cad_dealer_endpoint) {
      // Point at the value someone wrote: the other may be a default they
      // never saw (or one whose own bad value was refused).
      if (was_set("cad.dealer_endpoint") || !was_set("cad.subscribe_endpoint")) {
        conflict("cad.dealer_endpoint", "cad.dealer_endpoint = " + c.cad_dealer_endpoint +
                                            ": same as cad.subscribe_endpoint: expected the gateway's "
                                            "ROUTER endpoint, which differs from its PUB endpoint");
      } else {
        conflict("cad.subscribe_endpoint", "cad.subscribe_endpoint = " + c.cad_subscribe_endpoint +
                                               ": same as cad.dealer_endpoint: expected the gateway's "
                                               "PUB endpoint, which differs from its ROUTER endpoint");
      }
    }
    if (!c.outbox_db.empty() && c.outbox_db == c.cache_db) {
      conflict("coresponder.outbox_db", "coresponder.outbox_db = " + c.outbox_db +
                                            ": same file as cache.db: expected a separate file");
    }
    if (!c.registry_server_public_key.empty() && c.registry_client_key_file.empty() &&
        c.cad_client_key_file.empty()) {
      conflict("registry.server_public_key",
               "registry.server_public_key is set but neither registry.client_key_file nor "
               "cad.client_key_file names a key pair: expected one of them (CURVE needs this unit's key pair)");
    }
    if (!c.cache_key_file.empty() && c.cache_key_file == c.cache_db) {
      conflict("cache.key_file", "cache.key_file = " + c.cache_key_file +
                                     ": same file as cache.db: expected a separate key file");
    }
  }

  // The schedule is part of the configuration: a typo in it must stop
  // `config check` and the plugin's start the same way a bad key does.
  void read_schedule() {
    const std::string& path = config_.coresponder_schedule_file;
    if (path.empty()) return;
    std::string text;
    if (auto error = read_file(path, text); !error.empty()) {
      const auto it = provenance_.find("coresponder.schedule_file");
      const Provenance from = it == provenance_.end() ? Provenance{} : it->second;
      problems_.push_back({error == "too large" ? "config.too_large" : "config.missing_file", from.origin,
                           from.line, "coresponder.schedule_file",
                           "config " + from.where + ": coresponder.schedule_file = " + path + ": cannot read: " +
                               (error == "too large" ? std::string("larger than 1 MiB") : error) +
                               " (expected a readable schedule file)"});
      return;
    }
    std::vector<Problem> bad_lines;
    auto shifts = read_duty_schedule(text, path, bad_lines);
    for (auto& p : bad_lines) problems_.push_back(std::move(p));
    if (bad_lines.empty()) config_.coresponder_schedule = std::move(shifts);
  }

  Config config_;
  std::vector<Problem> problems_;
  std::vector<Problem> warnings_;
  std::vector<std::string> read_;  // the files read, in order
  std::vector<std::string> layers_;   // what was read, in order, for messages about the whole
  std::set<std::string> attempted_;   // keys some layer set, valid or not
  std::map<std::string, Provenance> provenance_;
};

}  // namespace

Error to_error(const Report& report) {
  std::string message;
  for (const auto& p : report.problems) message += (message.empty() ? "" : "\n") + p.message;
  bool same_code = true;
  for (const auto& p : report.problems) same_code = same_code && p.code == report.problems.front().code;
  return make_error(same_code ? report.problems.front().code : "config.invalid", message);
}

Report check(const std::vector<std::string>& files, const std::map<std::string, std::string>& env) {
  Loader loader;
  for (const auto& f : files) loader.apply_file(f);
  loader.apply_environment(env);
  return loader.finish();
}

Report check_text(const std::string& ini_text, const std::string& origin) {
  Loader loader;
  loader.apply_text(ini_text, origin);
  return loader.finish();
}

Result<Config> load(const std::vector<std::string>& files, const std::map<std::string, std::string>& env) {
  Report report = check(files, env);
  if (!report.ok()) return to_error(report);
  return std::move(report.config);
}

Result<Config> load_text(const std::string& ini_text, const std::string& origin) {
  Report report = check_text(ini_text, origin);
  if (!report.ok()) return to_error(report);
  return std::move(report.config);
}

std::map<std::string, std::string> environment_overrides() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.rfind("MDTC_", 0) != 0) continue;
    std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return out;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::patrol: return "patrol";
    case Role::coresponder: return "coresponder";
  }
  return "patrol";
}

std::string KeyInfo::env_name() const { return "MDTC_" + upper(section) + "_" + upper(key); }

const std::vector<KeyInfo>& known_keys() {
  static const std::vector<KeyInfo> keys = [] {
    std::vector<KeyInfo> out;
    const Config defaults;
    for (const auto& spec : detail::key_table()) {
      out.push_back({std::string(spec.section), std::string(spec.key), detail::type_name(spec),
                     spec.required ? std::string() : detail::show(spec, defaults), detail::expected(spec),
                     spec.required});
    }
    return out;
  }();
  return keys;
}

namespace {

std::string write_ini(const Config& config, bool blank_required) {
  std::string out;
  std::string_view section;
  for (const auto& spec : detail::key_table()) {
    if (spec.section != section) {
      section = spec.section;
      out += (out.empty() ? "[" : "\n[") + std::string(section) + "]\n";
    }
    if (blank_required && spec.required) {
      out += "; " + std::string(spec.key) + " = (required, no default: " + detail::expected(spec) + ")\n";
      continue;
    }
    std::string value = detail::show(spec, config);
    // Quotes keep what trimming would otherwise lose; the reader strips one pair.
    bool quote = !value.empty() && (value.front() == ' ' || value.back() == ' ' || value.front() == '\t' ||
                                    value.back() == '\t' || value.front() == '"' ||
                                    value.find(" ;") != std::string::npos || value.find(" #") != std::string::npos);
    out += std::string(spec.key) + " = " + (quote ? "\"" + value + "\"" : value) + "\n";
  }
  return out;
}

}  // namespace

std::string to_ini(const Config& config) { return write_ini(config, false); }

std::string defaults_ini() { return write_ini(Config{}, true); }

std::string secret_file_exposure(const std::string& path) { return secret_file_problem(path); }

}  // namespace mdtc::config
