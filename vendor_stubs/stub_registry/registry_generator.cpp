#include "registry_generator.h"

#include <Poco/JSON/Object.h>

#include <random>
#include <sstream>
#include <stdexcept>

#include "mdtc/registry_line.h"

namespace mdtc::stub_registry {
namespace {

const char* kStreets[] = {"MAPLE", "OAK", "ELM", "PINE", "CEDAR", "WALNUT", "ST PAUL", "1ST", "2ND", "LINCOLN"};
const char* kTypes[] = {"ST", "AVE", "BLVD", "CT", "DR", "LN"};
const char* kDirs[] = {"", "N ", "S ", "E ", "W "};
const char* kSafety[] = {"WEAPONS", "VIOLENCE", "DOG", "HAZMAT", "OXYGEN"};
const char* kCare[] = {"AUTISM", "DEMENTIA", "IN_TREATMENT", "SUICIDE_RISK", "PTSD", "HEARING_IMPAIRED", "NONVERBAL",
                       "DIABETES"};
const char* kCalls[] = {"WELFARE CHECK", "DISTURBANCE", "MENTAL HEALTH CRISIS", "MEDICAL ASSIST", "NOISE"};
const char* kDispositions[] = {"RESOLVED ON SCENE", "TRANSPORTED VOLUNTARY", "REFERRAL", "GONE ON ARRIVAL"};

template <std::size_t N>
const char* pick(const char* (&list)[N], std::mt19937_64& rng) {
  return list[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

void line(std::ostream& out, const Poco::JSON::Object& o, int64_t& lines) {
  o.stringify(out);
  out << '\n';
  ++lines;
}

}  // namespace

int64_t write_export(const GeneratorOptions& opt, std::ostream& final_out) {
  std::mt19937_64 rng(opt.seed);
  int64_t lines = 0;
  // Records are counted as written; the header's counts and the trailer
  // are added once the whole export is known.
  std::ostringstream out;
  Poco::JSON::Object header;
  header.set("type", "header");
  header.set("mode", opt.mode);
  header.set("version", opt.version);
  header.set("created", "2026-11-22T06:00:00Z");
  line(out, header, lines);

  const bool delta = opt.mode == "delta";
  // A delta touches every tenth premise of the same numbering.
  for (int64_t i = 0; i < opt.premises; i += delta ? 10 : 1) {
    const std::string pid = "P-" + std::to_string(i);
    Poco::JSON::Object p;
    p.set("type", "premise");
    p.set("id", pid);
    p.set("address", std::to_string(100 + i % 9000) + " " + kDirs[(i / 9000) % 5] + kStreets[(i / 45000) % 10] + " " +
                         kTypes[(i / 450000) % 6] + ", Springfield IL");
    p.set("lat", 39.75 + static_cast<double>(i % 300) * 0.0003);
    p.set("lon", -89.70 + static_cast<double>((i / 300) % 300) * 0.0003);
    line(out, p, lines);

    const std::string sid = "S-" + std::to_string(i);
    Poco::JSON::Object s;
    s.set("type", "subject");
    s.set("id", sid);
    s.set("name", "J. Doe " + std::to_string(i));
    s.set("born", std::to_string(1940 + static_cast<int>(i % 60)));
    line(out, s, lines);

    Poco::JSON::Object f1;
    f1.set("type", "flag");
    f1.set("id", "F-" + std::to_string(i) + "-s");
    f1.set("subject", sid);
    f1.set("premise", pid);
    f1.set("kind", "safety");
    f1.set("code", pick(kSafety, rng));
    f1.set("note", "Fictional safety note for demo premise " + pid);
    f1.set("audience", "all");
    f1.set("expires", "2099-12-31");
    line(out, f1, lines);

    Poco::JSON::Object f2;
    f2.set("type", "flag");
    f2.set("id", "F-" + std::to_string(i) + "-c");
    f2.set("subject", sid);
    f2.set("premise", pid);
    f2.set("kind", "care");
    f2.set("code", pick(kCare, rng));
    f2.set("note", "Fictional care note; clinician line 555-01" + std::to_string(10 + i % 90));
    f2.set("audience", i % 2 ? "all" : "clinician");
    f2.set("validated", "2026-06-01");
    line(out, f2, lines);

    Poco::JSON::Object h;
    h.set("type", "history");
    h.set("premise", pid);
    h.set("incident", "I-" + std::to_string(opt.version) + "-" + std::to_string(i));
    h.set("at", "2026-0" + std::to_string(1 + i % 9) + "-15T12:00:00Z");
    h.set("call_type", pick(kCalls, rng));
    h.set("disposition", pick(kDispositions, rng));
    line(out, h, lines);
  }
  if (delta) {
    // Tombstones: a flag and a subject (whose flags go with it).
    for (int64_t i = 5; i < opt.premises; i += 50) {
      Poco::JSON::Object d;
      d.set("type", "delete");
      d.set("id", (i % 100 == 5 ? "F-" + std::to_string(i) + "-s" : "S-" + std::to_string(i)));
      line(out, d, lines);
    }
  }
  auto complete = cache::complete_registry_file(out.str());
  if (!complete) throw std::runtime_error("generated export is invalid: " + complete.error().message);
  final_out << *complete;
  return lines + 1;  // and the trailer
}

}  // namespace mdtc::stub_registry
