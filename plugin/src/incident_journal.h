// The unit's open incidents and co-responder requests, kept on disk so that
// an MDT restart mid-call brings the panels back as they were, request state
// included, instead of leaving the officer with a blank screen.
// Holds CAD's incident fields (no narrative) and request state; flag content
// is never written here, it is looked up again from the encrypted cache.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "mdtc/result.h"
#include "mdtc/sqlite.h"

namespace mdtc::plugin {

class IncidentJournal {
 public:
  static Result<IncidentJournal> open(const std::string& path);

  Status put(const std::string& incident_id, const std::string& state_json);
  Status erase(const std::string& incident_id);
  // (incident id, state JSON), oldest first.
  Result<std::vector<std::pair<std::string, std::string>>> all();

 private:
  explicit IncidentJournal(sql::Db db) : db_(std::move(db)) {}
  sql::Db db_;
};

}  // namespace mdtc::plugin
