// The cache's SQLite schema as an ordered list of migrations. The current
// version is the highest row of schema_version; opening a cache applies the
// missing steps, each in its own transaction.
#pragma once

#include "mdtc/cache.h"
#include "audit_log.h"
#include "field_cipher.h"
#include "mdtc/sqlite.h"

namespace mdtc::cache {

using sql::Db;
using sql::SqlError;
using sql::Stmt;
using sql::Transaction;

// Applies migrations up to `target` (tests build old versions with it).
// Steps that re-seal values (4) need the cache's cipher; the key must have
// been checked against the file first. The step that moves the audit chain
// out (7) needs its file when the cache holds records.
void migrate(Db& db, int target = kSchemaVersion, const FieldCipher* cipher = nullptr, AuditLog* audit = nullptr);
int schema_version(Db& db);

// A snapshot import, inside its transaction: begin_replace_all empties every
// registry table and drops what is derived from premises (the street index,
// the R*Tree and its triggers); end_replace_all builds them again from the
// loaded rows. One sorted build is several times cheaper than keeping them in
// step row by row (the R*Tree most of all), and the reader sees neither step:
// it reads the previous version until the commit.
void begin_replace_all(Db& db);
void end_replace_all(Db& db);

}  // namespace mdtc::cache
