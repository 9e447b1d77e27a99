// Fuzzes the configuration loader over arbitrary INI text. Beyond "no crash":
// every problem must be a complete sentence with a known code, and a config
// that loads must survive to_ini() -> load_text() unchanged (what
// `config check --print` prints is what the plugin would run with).
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>

#include "mdtc/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mdtc::config;
  static const std::set<std::string> codes = {
      "config.missing_file",  "config.too_large",    "config.syntax",    "config.unknown_section",
      "config.unknown_key",   "config.duplicate_key", "config.bad_value", "config.conflict",
      "config.bad_schedule",  "config.missing_key",  "config.secret_exposed"};
  std::string text(reinterpret_cast<const char*>(data), size);
  Report report = check_text(text, "fuzz.ini");
  for (const auto& p : report.problems) {
    if (!codes.count(p.code) || p.message.rfind("config fuzz.ini", 0) != 0) std::abort();
    // Messages are one line each, however hostile the input.
    if (p.message.find('\n') != std::string::npos) std::abort();
  }
  for (const auto& w : report.warnings) {
    if (w.code != "config.inline_comment" || w.message.rfind("config fuzz.ini:", 0) != 0) std::abort();
    if (w.message.find('\n') != std::string::npos) std::abort();
  }
  if (report.ok()) {
    auto again = load_text(to_ini(report.config), "printed.ini");
    if (!again.ok() || !(*again == report.config)) std::abort();
  }
  return 0;
}
