// Where the shared test corpora live: $MDTC_CORPUS_DIR when set, else
// shared/corpus beside the source tree. A user's clone has neither; tests
// that need a corpus skip when its files are absent.
#pragma once

#include <cstdlib>
#include <string>

#ifndef MDTC_SOURCE_DIR
#error "corpus_dir.h needs MDTC_SOURCE_DIR (set by mdtc_add_test)"
#endif

namespace mdtc::test {

inline std::string corpus_dir(const std::string& name) {
  const char* env = std::getenv("MDTC_CORPUS_DIR");
  const std::string root = env && *env ? std::string(env) : std::string(MDTC_SOURCE_DIR) + "/../shared/corpus";
  return root + "/" + name;
}

}  // namespace mdtc::test
