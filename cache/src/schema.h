// The cache's SQLite schema as an ordered list of migrations. The current
// version is the highest row of schema_version; opening a cache applies the
// missing steps, each in its own transaction.
#pragma once

#include "mdtc/cache.h"
#include "sqlite_db.h"

namespace mdtc::cache {

// Applies migrations up to `target` (tests build old versions with it).
void migrate(Db& db, int target = kSchemaVersion);
int schema_version(Db& db);

}  // namespace mdtc::cache
