// The table of orderings in docs/protocol.md ("Ordering per incident"), as
// data: one incident's dispatch / update / cancel arriving in every order,
// with and without gateway restarts, with gaps answered late or never.
// sequence_tracker_test runs every row through the pure tracker and
// link_fault_test runs every row over real ZeroMQ against the link.
#pragma once

#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "mdtc/bridge.h"

namespace mdtc::test {

inline const std::string kOrderingUnit = "2A31";

struct OrderingStep {
  std::string type;   // dispatch, incident_update, cancel, unit_cleared
  std::string topic;  // "unit" (unit.2A31) or "all"
  std::string epoch;
  uint64_t seq = 0;
  int at_s = 0;       // CAD's sent_at: 2026-11-22T10:00:<at_s>Z
  bool lost = false;  // published but never reaches the unit, and nobody answers the ask
  std::string incident = "I-1";
  std::string unit;   // the unit a unit_cleared names
};

struct OrderingRow {
  std::string name;
  std::vector<OrderingStep> steps;  // in arrival order
  std::vector<std::string> shown;   // what the link delivers, in order
};

inline std::string ordering_topic(const OrderingStep& s) {
  return s.topic == "all" ? "all" : "unit." + kOrderingUnit;
}

inline std::string ordering_sent_at(int at_s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-11-22T10:00:%02dZ", at_s);
  return buf;
}

// "I-1 dispatch@1": the incident, the type and CAD's time of the message.
inline std::string ordering_label(const bridge::Message& m) {
  const int at = m.sent_at.size() >= 19 ? std::stoi(m.sent_at.substr(17, 2)) : -1;
  return m.incident_id() + " " + std::string(bridge::to_string(m.type())) + "@" + std::to_string(at);
}

// The payload of one of the four incident types, about `incident`
// (`unit`: the unit a unit_cleared names).
inline bridge::Payload ordering_payload(const std::string& type, const std::string& incident,
                                        const std::string& unit = {}) {
  if (type == "dispatch") return bridge::Dispatch{bridge::Incident{incident, {}, 0, {}, {}, {}}};
  if (type == "incident_update") return bridge::IncidentUpdate{bridge::Incident{incident, {}, 0, {}, {}, {}}};
  if (type == "cancel") return bridge::Cancel{incident};
  if (type == "unit_cleared") return bridge::UnitCleared{incident, unit};
  if (type == "coresponder_status") return bridge::CoresponderStatus{{}, incident, {}, {}, {}, {}};
  return {};
}

inline std::vector<OrderingRow> incident_orderings() {
  auto step = [](std::string type, std::string e, uint64_t seq, int at) {
    OrderingStep s;
    s.type = std::move(type);
    s.topic = "unit";
    s.epoch = std::move(e);
    s.seq = seq;
    s.at_s = at;
    return s;
  };
  auto D = [&](std::string e, uint64_t seq, int at) { return step("dispatch", std::move(e), seq, at); };
  auto U = [&](std::string e, uint64_t seq, int at) { return step("incident_update", std::move(e), seq, at); };
  auto C = [&](std::string e, uint64_t seq, int at) { return step("cancel", std::move(e), seq, at); };
  auto lost = [](OrderingStep s) { s.lost = true; return s; };
  auto on_all = [](OrderingStep s) { s.topic = "all"; return s; };
  auto about = [](OrderingStep s, std::string incident) { s.incident = std::move(incident); return s; };
  auto cleared = [&](std::string e, uint64_t seq, int at, std::string unit) {
    OrderingStep s = step("unit_cleared", std::move(e), seq, at);
    s.topic = "all";
    s.unit = std::move(unit);
    return s;
  };
  return {
      // One gateway run, one topic: seq is the version.
      {"InOrder", {D("e1", 1, 1), U("e1", 2, 2), C("e1", 3, 3)},
       {"I-1 dispatch@1", "I-1 incident_update@2", "I-1 cancel@3"}},
      {"UpdateArrivesAfterCancel", {D("e1", 1, 1), C("e1", 3, 3), U("e1", 2, 2)},
       {"I-1 dispatch@1", "I-1 cancel@3"}},
      {"UpdateBeforeDispatch", {U("e1", 2, 2), D("e1", 1, 1), C("e1", 3, 3)},
       {"I-1 incident_update@2", "I-1 cancel@3"}},
      {"DispatchArrivesAfterCancel", {U("e1", 2, 2), C("e1", 3, 3), D("e1", 1, 1)},
       {"I-1 incident_update@2", "I-1 cancel@3"}},
      {"CancelFirstThenDispatchThenUpdate", {C("e1", 3, 3), D("e1", 1, 1), U("e1", 2, 2)},
       {"I-1 cancel@3"}},
      {"CancelFirstThenUpdateThenDispatch", {C("e1", 3, 3), U("e1", 2, 2), D("e1", 1, 1)},
       {"I-1 cancel@3"}},
      {"DispatchUpdateCancelGapNeverAnswered", {D("e1", 1, 1), lost(U("e1", 2, 2)), C("e1", 3, 3)},
       {"I-1 dispatch@1", "I-1 cancel@3"}},
      {"DispatchBehindAnotherIncidentsUnansweredGap",
       {lost(about(D("e1", 1, 0), "I-2")), D("e1", 2, 1)},
       {"I-1 dispatch@1"}},
      {"ReassignedAfterCancelByANewerDispatch", {D("e1", 1, 1), C("e1", 2, 2), D("e1", 3, 3)},
       {"I-1 dispatch@1", "I-1 cancel@2", "I-1 dispatch@3"}},
      // Gateway restarts (epoch e1 -> e2; seq starts over; CAD's sent_at is kept).
      {"DispatchRepublishedAfterRestartShowsOnce", {D("e1", 1, 1), D("e2", 1, 1)},
       {"I-1 dispatch@1"}},
      {"RestartWhileAGapIsOpenLosesNothingDelivered",
       {lost(about(D("e1", 1, 0), "I-2")), D("e1", 2, 1), C("e2", 1, 3), about(D("e2", 2, 0), "I-2")},
       {"I-1 dispatch@1", "I-1 cancel@3", "I-2 dispatch@0"}},
      {"UpdateOfTheOldRunArrivesAfterTheNewRunsCancel", {D("e1", 1, 1), C("e2", 1, 3), U("e1", 2, 2)},
       {"I-1 dispatch@1", "I-1 cancel@3"}},
      {"UpdateOfTheOldRunArrivesAfterANewerUpdate", {D("e1", 1, 1), U("e2", 1, 3), U("e1", 2, 2)},
       {"I-1 dispatch@1", "I-1 incident_update@3"}},
      {"CancelOfTheOldRunArrivesAfterRestartAndStillCloses", {D("e1", 1, 1), U("e2", 1, 2), C("e1", 2, 3)},
       {"I-1 dispatch@1", "I-1 incident_update@2", "I-1 cancel@3"}},
      {"DispatchLostBeforeRestartArrivesLateAfterCancel",
       {about(D("e1", 1, 0), "I-2"), lost(D("e1", 2, 1)), C("e2", 1, 3), D("e1", 2, 1)},
       {"I-2 dispatch@0", "I-1 cancel@3"}},
      {"RestartThenUpdateThenOldDispatchReplay", {U("e2", 1, 2), D("e1", 1, 1)},
       {"I-1 incident_update@2"}},
      // Two topics: seq does not compare across them; CAD's time does.
      {"SameDispatchOnUnitTopicAndAllShowsOnce", {D("e1", 1, 1), on_all(D("e1", 1, 1)), on_all(C("e1", 2, 2))},
       {"I-1 dispatch@1", "I-1 cancel@2"}},
      {"OtherUnitClearedOnAllLeavesTheIncidentOpen",
       {D("e1", 1, 1), cleared("e1", 1, 2, "2B99"), U("e1", 2, 3)},
       {"I-1 dispatch@1", "I-1 unit_cleared@2", "I-1 incident_update@3"}},
      {"ThisUnitClearedOnAllClosesTheIncident", {D("e1", 1, 1), cleared("e1", 1, 2, "2A31"), U("e1", 2, 3)},
       {"I-1 dispatch@1", "I-1 unit_cleared@2"}},
      {"CancelOnAllAtTheSameTimeAsTheDispatchCloses", {D("e1", 1, 1), on_all(C("e1", 1, 1))},
       {"I-1 dispatch@1", "I-1 cancel@1"}},
      {"DispatchAtTheSameTimeAsAnEarlierCancelStaysClosed", {on_all(C("e1", 1, 1)), D("e1", 1, 1)},
       {"I-1 cancel@1"}},
  };
}

inline void PrintTo(const OrderingRow& row, std::ostream* os) { *os << row.name; }

inline std::string ordering_row_name(const ::testing::TestParamInfo<OrderingRow>& row) {
  return row.param.name;
}

}  // namespace mdtc::test
