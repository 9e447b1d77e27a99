// The one mapping from a unit's configuration to the flag cache's options.
// The plugin's handles and every CLI command that opens a car's cache use it,
// so a setting (re-validation period, shrink limit, key file) cannot mean one
// thing to the plugin and another to an admin's shell.
#pragma once

#include "mdtc/cache.h"
#include "mdtc/config.h"

namespace mdtc {

enum class CacheAccess {
  read_only,        // doctor, stats, match, verify: never create, migrate, purge or write
  existing,         // the plugin's lookups, purge, reset: an existing cache, written
  create_if_missing // import and sync: the first registry file makes the cache
};

cache::OpenOptions cache_open_options(const config::Config& c, CacheAccess access);
cache::MatchOptions cache_match_options(const config::Config& c);

}  // namespace mdtc
