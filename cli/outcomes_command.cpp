// `mdt-coresponder outcomes export|summary`: a unit's outcome records for
// program reporting. The file is only read (never created or migrated); the
// period filter, exports and figures are the plugin's pure functions.
#include <boost/program_options.hpp>
#include <iostream>
#include <optional>
#include <tuple>

#include "commands.h"
#include "outcome_export.h"
#include "outcome_store.h"
#include "outcome_summary.h"

namespace mdtc::cli {
namespace {

constexpr const char* kUsage =
    "usage: mdt-coresponder outcomes export (--csv|--json) [--deidentified] [--no-notes]\n"
    "                                       [--from DATE] [--to DATE] --db PATH\n"
    "       mdt-coresponder outcomes summary [--json] [--from DATE] [--to DATE] --db PATH\n";

int fail(const std::string& sub, const Error& e) {
  std::cerr << "mdt-coresponder outcomes " << sub << ": " << e.code << ": " << e.message << "\n";
  return 1;
}

}  // namespace

int outcomes_command(const Args& args) {
  namespace po = boost::program_options;
  std::string db, from, to;
  po::options_description desc("outcomes options");
  desc.add_options()("help,h", "show this help")("csv", "export: CSV with a header row")(
      "json", "export: one JSON document; summary: the figures as JSON")(
      "deidentified", "export: no request, incident or unit ids, no notes, times to the hour")(
      "no-notes", "export: leave the clinician's notes out")(
      "from", po::value(&from), "requests from this UTC date or RFC 3339 time on")(
      "to", po::value(&to), "requests before this UTC date or RFC 3339 time")(
      "db", po::value(&db)->required(), "outcome file, e.g. /var/lib/mdt-coresponder/outcomes-CR7.db");
  const std::string sub = args.empty() ? "" : args[0];
  if (sub == "--help" || sub == "-h") {
    std::cout << kUsage << desc;
    return 0;
  }
  if (sub != "export" && sub != "summary") {
    std::cerr << kUsage << desc;
    return 2;
  }
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(Args(args.begin() + 1, args.end())).options(desc).run(), vm);
    if (vm.count("help")) {
      std::cout << kUsage << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "mdt-coresponder outcomes " << sub << ": " << e.what() << "\n" << kUsage;
    return 2;
  }
  const bool csv = vm.count("csv") > 0, json = vm.count("json") > 0;
  if (sub == "export" && csv == json) {
    std::cerr << "mdt-coresponder outcomes export: give one of --csv or --json\n" << kUsage;
    return 2;
  }
  if (sub == "summary" && (csv || vm.count("deidentified") || vm.count("no-notes"))) {
    std::cerr << "mdt-coresponder outcomes summary: takes only --json, --from, --to and --db\n" << kUsage;
    return 2;
  }
  std::optional<int64_t> from_ms, to_ms;
  for (auto [text, option, into] : {std::tuple{&from, "--from", &from_ms}, std::tuple{&to, "--to", &to_ms}}) {
    if (text->empty()) continue;
    auto t = plugin::parse_period_bound(*text, option);
    if (!t) {
      std::cerr << "mdt-coresponder outcomes " << sub << ": " << t.error().message << "\n";
      return 2;
    }
    *into = *t;
  }

  auto store = plugin::OutcomeStore::open_read_only(db);
  if (!store) return fail(sub, store.error());
  auto all = store->all();
  if (!all) return fail(sub, all.error());
  const auto records = plugin::in_period(*all, from_ms, to_ms);
  if (sub == "summary") {
    const auto summary = plugin::summarize(records);
    if (json) plugin::write_summary_json(summary, std::cout);
    else plugin::write_summary_text(summary, std::cout);
    return 0;
  }
  plugin::ExportOptions options;
  options.deidentified = vm.count("deidentified") > 0;
  options.notes = vm.count("no-notes") == 0;
  if (csv) plugin::write_outcomes_csv(records, options, std::cout);
  else plugin::write_outcomes_json(records, options, std::cout);
  return 0;
}

}  // namespace mdtc::cli
