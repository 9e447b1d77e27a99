// docs/config.md's key table and the loader must say the same thing: the same
// keys, types and defaults. Also the shipped examples must load cleanly.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "doctor_problems.h"
#include "mdtc/config.h"
#include "temp_dir.h"

namespace mdtc::config {
namespace {

struct DocRow {
  std::string type;
  std::string default_value;
  std::string example;
  bool required = false;
};

constexpr const char* kRequired = "*(required)*";

std::string cell(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(0, 1);
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (s == "*(empty)*" || s == kRequired) return "";
  if (s.size() >= 2 && s.front() == '`' && s.back() == '`') return s.substr(1, s.size() - 2);
  return s;
}

// Rows of the form | `section.key` | type | `default` | `example` | meaning |
std::map<std::string, DocRow> doc_table(const std::string& markdown) {
  std::map<std::string, DocRow> rows;
  std::istringstream in(markdown);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::size_t pos = 1;
    while (pos < line.size()) {
      std::size_t bar = line.find(" | ", pos);
      if (bar == std::string::npos) bar = line.rfind('|');
      if (bar <= pos) break;
      cells.push_back(cell(line.substr(pos, bar - pos)));
      pos = bar + 2;
    }
    if (cells.size() < 4 || cells[0].find('.') == std::string::npos) continue;
    rows[cells[0]] = DocRow{cells[1], cells[2], cells[3], line.find(kRequired) != std::string::npos};
  }
  return rows;
}

std::string docs() { return test::read_file(MDTC_SOURCE_DIR "/docs/config.md"); }

TEST(DocsSync, EveryLoaderKeyIsDocumentedWithItsTypeAndDefault) {
  auto rows = doc_table(docs());
  for (const auto& k : known_keys()) {
    std::string name = k.section + "." + k.key;
    auto it = rows.find(name);
    ASSERT_NE(it, rows.end()) << name << " is missing from docs/config.md";
    EXPECT_EQ(it->second.type, k.type) << name;
    EXPECT_EQ(it->second.default_value, k.default_value) << name;
    EXPECT_EQ(it->second.required, k.required) << name << ": the Default column says *(required)* exactly "
                                                          "for the keys that have no default";
  }
}

TEST(DocsSync, EveryDocumentedKeyIsKnownToTheLoader) {
  auto rows = doc_table(docs());
  ASSERT_FALSE(rows.empty()) << "no key table found in docs/config.md";
  for (const auto& [name, row] : rows) {
    bool known = false;
    for (const auto& k : known_keys()) known = known || k.section + "." + k.key == name;
    EXPECT_TRUE(known) << name << " is documented but the loader does not know it";
  }
  EXPECT_EQ(rows.size(), known_keys().size());
}

TEST(DocsSync, EveryDocumentedExampleIsAValidValue) {
  auto rows = doc_table(docs());
  for (const auto& [name, row] : rows) {
    std::string section = name.substr(0, name.find('.'));
    std::string key = name.substr(name.find('.') + 1);
    std::string text = "[" + section + "]\n" + key + " = " + row.example + "\n";
    // The CURVE keys are only valid as a pair.
    if (name == "cad.server_public_key") text += "client_key_file = /etc/k\n";
    if (name == "cad.client_key_file") text += "server_public_key = Example.Springfield.Gateway.Key.NotReal0\n";
    if (name == "registry.server_public_key") text += "client_key_file = /etc/k\n";
    // A file the loader reads: the shipped example stands in for /etc's copy.
    if (name == "coresponder.schedule_file")
      text = "[coresponder]\nschedule_file = " MDTC_SOURCE_DIR "/config/examples/coresponders.txt\n";
    // A unit's identity has no default: every example needs one.
    if (name != "unit.id") text += "[unit]\nid = 2A31\n";
    if (name != "unit.role") text += "[unit]\nrole = patrol\n";
    auto report = check_text(text, "docs example");
    EXPECT_TRUE(report.ok()) << name << ": " << (report.ok() ? "" : report.problems[0].message);
  }
}

TEST(DocsSync, TableParserSeesAChangedDefault) {
  // Guards the guard: a doc row with a wrong default must be noticed.
  auto rows = doc_table("| `gps.baud` | baud | `9600` | `4800` | x |\n");
  ASSERT_EQ(rows.count("gps.baud"), 1u);
  EXPECT_NE(rows["gps.baud"].default_value, "auto");
  EXPECT_EQ(rows["gps.baud"].example, "4800");
}

// docs/deployment.md's "What to do when" table: its first-column codes.
std::vector<std::string> documented_doctor_codes() {
  const std::string md = test::read_file(MDTC_SOURCE_DIR "/docs/deployment.md");
  const auto start = md.find("### What to do when");
  EXPECT_NE(start, std::string::npos) << "no \"What to do when\" section in docs/deployment.md";
  if (start == std::string::npos) return {};
  const auto end = md.find("\n## ", start);
  std::istringstream in(md.substr(start, end == std::string::npos ? std::string::npos : end - start));
  std::vector<std::string> codes;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const auto close = line.find('`', 3);
    codes.push_back(line.substr(3, close - 3));
  }
  return codes;
}

TEST(DocsSync, EveryDoctorProblemCodeHasARowInWhatToDoWhen) {
  const auto documented = documented_doctor_codes();
  for (const auto& info : cli::doctor_problems()) {
    EXPECT_NE(std::find(documented.begin(), documented.end(), std::string(info.code)), documented.end())
        << info.code << " can be reported by doctor but is not in docs/deployment.md's table";
  }
  for (const auto& code : documented) {
    bool known = false;
    for (const auto& info : cli::doctor_problems()) known = known || info.code == code;
    EXPECT_TRUE(known) << code << " is documented but doctor never reports it";
  }
  EXPECT_EQ(documented.size(), cli::doctor_problems().size()) << "a code documented twice?";
}

TEST(DocsSync, DoctorProblemCodesAreUniqueAndEachHasAFix) {
  std::vector<std::string_view> seen;
  for (const auto& info : cli::doctor_problems()) {
    EXPECT_EQ(std::find(seen.begin(), seen.end(), info.code), seen.end()) << info.code;
    seen.push_back(info.code);
    EXPECT_FALSE(info.fix.empty()) << info.code;
    EXPECT_EQ(&cli::problem_info(info.problem), &info) << info.code;
  }
}

TEST(ShippedExamples, FleetFileAndUnitOverrideLoadCleanly) {
  const std::string dir = MDTC_SOURCE_DIR "/config/examples/";
  auto config = load({dir + "fleet.ini", dir + "unit-2A31.ini"});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->unit_id, "2A31");
  EXPECT_EQ(config->role, Role::patrol);
  EXPECT_EQ(config->gps_port, "/dev/ttyUSB0");
  EXPECT_EQ(config->coresponder_fallback, "Springfield mobile crisis line 555-0199");
}

TEST(ShippedExamples, FleetFileAloneGivesNoCarAnIdentity) {
  // Every car gets the fleet file: an identity in it would be every car's.
  auto report = check({MDTC_SOURCE_DIR "/config/examples/fleet.ini"});
  std::vector<std::string> keys;
  for (const auto& p : report.problems) keys.push_back(p.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"unit.id", "unit.role"}));
}

TEST(ShippedExamples, ScheduleExampleLoads) {
  auto config = load_text("[coresponder]\nschedule_file = " MDTC_SOURCE_DIR
                          "/config/examples/coresponders.txt\n[unit]\nid = 2A31\nrole = patrol\n");
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->coresponder_schedule.size(), 3u);
  EXPECT_EQ(config->coresponder_schedule[2].name, "CR-11 (County crisis team)");
}

}  // namespace
}  // namespace mdtc::config
