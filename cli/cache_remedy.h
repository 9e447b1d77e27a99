// What an admin does about a cache that cannot be opened, by error code: one
// wording for `doctor` and the `cache` commands.
#pragma once

#include <string>

namespace mdtc::cli {

// The fix for `code` on the cache at `db`, or "" when there is none to give.
std::string cache_remedy(const std::string& code, const std::string& db);

}  // namespace mdtc::cli
