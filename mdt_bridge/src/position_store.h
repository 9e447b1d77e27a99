// Where the unit had got to on each topic (epoch + last seq), kept beside
// the outbox so that a restarted plugin resumes there and catches up what
// was published while it was down, instead of treating it as history.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mdtc/result.h"
#include "mdtc/sqlite.h"

namespace mdtc::bridge {

struct TopicPosition {
  std::string topic;
  std::string epoch;
  uint64_t last_seq = 0;
  int64_t saved_at_ms = 0;  // Unix time
  // Seqs beyond an open gap that were already delivered: a restarted unit
  // catching the gap up must not hand them over again.
  std::vector<uint64_t> ahead;
};

class PositionStore {
 public:
  // Its own connection to the outbox file, with synchronous=NORMAL: in WAL
  // mode a commit survives the process being killed without an fsync per
  // dispatch (a power cut may lose the last positions, as may a kill before
  // the link's PositionSaver wrote them, and then at most a few messages are
  // handed over again: positions are only ever saved after delivery).
  static Result<std::unique_ptr<PositionStore>> open(const std::string& path);
  PositionStore(const PositionStore&) = delete;
  PositionStore& operator=(const PositionStore&) = delete;

  Result<std::vector<TopicPosition>> load() const;
  Status save(const std::vector<TopicPosition>& positions);

 private:
  PositionStore() = default;
  void add_ahead_column();
  mutable sql::Db db_;
};

}  // namespace mdtc::bridge
