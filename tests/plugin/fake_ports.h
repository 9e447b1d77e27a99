// A recording stand-in for the pipeline's ports (host, link, cache) so the
// pipeline's decisions can be checked with plain values.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline.h"

namespace mdtc::test {

struct FakePorts : plugin::Ports {
  struct Call {
    std::string what;  // show, update, close, notify, send, audit, log
    std::string id;    // panel id, message type, incident id
    std::string body;  // panel JSON, message body, text
  };
  std::vector<Call> calls;
  std::function<cache::MatchResult(const cache::AddressQuery&)> answer;
  std::vector<cache::AddressQuery> queries;

  // The host's next answers to show_panel / update_panel (then yes again).
  std::vector<Shown> show_answers, update_answers;
  static Shown next(std::vector<Shown>& answers) {
    if (answers.empty()) return Shown::yes;
    const Shown a = answers.front();
    answers.erase(answers.begin());
    return a;
  }
  Shown show_panel(const plugin::PanelDocument& d) override {
    calls.push_back({"show", d.id, d.to_json()});
    return next(show_answers);
  }
  Shown update_panel(const plugin::PanelDocument& d) override {
    calls.push_back({"update", d.id, d.to_json()});
    return next(update_answers);
  }
  void close_panel(const std::string& id) override { calls.push_back({"close", id, {}}); }
  void notify(int, const std::string& text) override { calls.push_back({"notify", {}, text}); }
  void log(int, const std::string& m) override { calls.push_back({"log", {}, m}); }
  // What the link answers: kept, not kept (disk refused the outbox), failed.
  plugin::Sent send_answer = plugin::Sent::kept;
  // Recorded as the link would queue it: the type's name and its body.
  plugin::Sent send(const bridge::Outbound& m) override {
    calls.push_back({"send", std::string(bridge::to_string(bridge::type_of(m))), bridge::encode_body(m)});
    return send_answer;
  }
  cache::MatchResult lookup(const cache::AddressQuery& q) override {
    queries.push_back(q);
    if (answer) return answer(q);
    cache::MatchResult none;
    none.freshness = cache::Freshness::fresh;
    return none;
  }
  void audit(const std::string& incident, const std::vector<std::string>& ids) override {
    std::string joined;
    for (const auto& id : ids) joined += id + ",";
    calls.push_back({"audit", incident, joined});
  }

  std::vector<plugin::Outcome> outcomes;
  std::optional<Error> outcome_refusal;  // set: the store refuses the next filing so
  Status record_outcome(plugin::Outcome o) override {
    if (outcome_refusal) return *std::exchange(outcome_refusal, std::nullopt);
    calls.push_back({"outcome", o.request_id, o.disposition() + "|" + o.note});
    outcomes.push_back(std::move(o));
    return Ok{};
  }
  std::vector<plugin::OutcomeStamp> stamps;
  void stamp_outcome(const plugin::OutcomeStamp& s) override {
    calls.push_back({"stamp", s.request_id, std::string(plugin::to_string(s.step)) + "|" + s.requested_by});
    stamps.push_back(s);
  }

  std::map<std::string, std::string> journal;
  void remember_incident(const std::string& id, const std::string& json) override { journal[id] = json; }
  void forget_incident(const std::string& id) override { journal.erase(id); }
  void wipe_cache(const std::string& reason) override { calls.push_back({"wipe", {}, reason}); }

  std::vector<Call> of(const std::string& what) const {
    std::vector<Call> out;
    for (const auto& c : calls)
      if (c.what == what) out.push_back(c);
    return out;
  }
  const Call* last(const std::string& what, const std::string& id = {}) const {
    for (auto it = calls.rbegin(); it != calls.rend(); ++it)
      if (it->what == what && (id.empty() || it->id == id)) return &*it;
    return nullptr;
  }
  // The panel's JSON as last shown or updated; empty if never shown.
  std::string panel(const std::string& id) const {
    for (auto it = calls.rbegin(); it != calls.rend(); ++it)
      if ((it->what == "update" || it->what == "show") && it->id == id) return it->body;
    return {};
  }
};

// The fictional premise of the demo data: a weapons flag for everyone, an
// autism care flag for everyone, a clinician-only treatment note and a SUD
// record that only clinicians may see.
inline cache::MatchResult flagged_premise(cache::MatchLevel level = cache::MatchLevel::exact) {
  cache::MatchResult m;
  m.level = level;
  m.freshness = cache::Freshness::fresh;
  m.age_s = 3 * 3600;
  cache::Premise p{"P-1", "1208 N MAPLE ST APT 3B, SPRINGFIELD IL", 39.8012, -89.6437, {}, level, {}, "APT 3B"};
  if (level == cache::MatchLevel::building) p.reasons = {"other unit in this building"};
  if (level == cache::MatchLevel::nearby) p.reasons = {"near the CAD location, no address match"};
  m.reasons = p.reasons;
  m.premises.push_back(std::move(p));
  m.subjects.push_back({"S-1", "J. Doe", "1990"});
  m.subjects.push_back({"S-2", "R. Roe", "1985"});
  auto flag = [](std::string id, std::string subject, cache::FlagKind kind, std::string code,
                 std::string name, int severity, std::string note, cache::Audience audience) {
    cache::Flag f;
    f.id = std::move(id);
    f.subject_id = std::move(subject);
    f.premise_id = "P-1";
    f.kind = kind;
    f.code = std::move(code);
    f.display_name = std::move(name);
    f.severity = severity;
    f.note = std::move(note);
    f.audience = audience;
    return f;
  };
  m.flags.push_back(flag("F-1", "S-1", cache::FlagKind::safety, "WEAPONS", "Weapons reported", 3,
                         "Legally owns rifles", cache::Audience::all));
  m.flags.push_back(flag("F-2", "S-1", cache::FlagKind::care, "AUTISM", "Autism", 1,
                         "Nonverbal; calm with low voice, no lights", cache::Audience::all));
  m.flags.push_back(flag("F-3", "S-1", cache::FlagKind::care, "IN_TREATMENT",
                         "In mental-health treatment", 1, "Clinician: Dr. A, 555-0100",
                         cache::Audience::clinician));
  m.flags.push_back(flag("F-4", "S-2", cache::FlagKind::sud, "SUD_TREATMENT",
                         "Substance-use treatment", 1, "Methadone program, Clinic Z",
                         cache::Audience::clinician));
  m.history.push_back({"P-1", "I-0993", "2026-03-02T10:00:00Z", "WELFARE CHECK", "RESOLVED ON SCENE"});
  return m;
}

}  // namespace mdtc::test
