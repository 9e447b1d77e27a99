#include "schema.h"

#include "row_counts.h"
#include "rtree_pack.h"
#include "sealed_fields.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

namespace mdtc::cache {
namespace {

// v1: the tables. Foreign keys are deferred so a registry file may name a
// flag before its premise; the importer checks them before it commits.
constexpr const char* kV1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE premises(
  id TEXT PRIMARY KEY, display TEXT NOT NULL,
  hno TEXT, hns TEXT, predir TEXT, pretype TEXT, name TEXT, type TEXT, postdir TEXT,
  unit TEXT, unit_display TEXT, city TEXT, state TEXT, zip TEXT,
  lat REAL, lon REAL);
CREATE INDEX premises_street ON premises(hno, name);
CREATE TABLE subjects(id TEXT PRIMARY KEY, name BLOB, born BLOB);
CREATE TABLE flags(
  id TEXT PRIMARY KEY,
  subject_id TEXT REFERENCES subjects(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  premise_id TEXT NOT NULL REFERENCES premises(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  kind TEXT NOT NULL, code TEXT NOT NULL, note BLOB, audience TEXT NOT NULL,
  expires TEXT, validated TEXT);
CREATE INDEX flags_premise ON flags(premise_id);
CREATE INDEX flags_subject ON flags(subject_id);
CREATE TABLE history(
  premise_id TEXT NOT NULL REFERENCES premises(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  incident TEXT NOT NULL, at TEXT NOT NULL, call_type BLOB, disposition BLOB,
  PRIMARY KEY(premise_id, incident));
CREATE TABLE audit(
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, unit TEXT NOT NULL, user TEXT NOT NULL,
  incident TEXT NOT NULL, flag_ids TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql";

// v2: an R*Tree over premise coordinates for "nearby", kept in step by
// triggers. It keys on premises.rowid, so the cache is never VACUUMed
// without rebuilding it (VACUUM may renumber rowids of such tables).
constexpr const char* kV2 = R"sql(
CREATE VIRTUAL TABLE premise_geo USING rtree(rid, min_lat, max_lat, min_lon, max_lon);
INSERT INTO premise_geo SELECT rowid, lat, lat, lon, lon FROM premises WHERE lat IS NOT NULL AND lon IS NOT NULL;
CREATE TRIGGER premise_geo_ins AFTER INSERT ON premises WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL
BEGIN INSERT INTO premise_geo VALUES(new.rowid, new.lat, new.lat, new.lon, new.lon); END;
CREATE TRIGGER premise_geo_upd AFTER UPDATE OF lat, lon ON premises
BEGIN
  DELETE FROM premise_geo WHERE rid = old.rowid;
  INSERT INTO premise_geo SELECT new.rowid, new.lat, new.lat, new.lon, new.lon
    WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL;
END;
CREATE TRIGGER premise_geo_del AFTER DELETE ON premises
BEGIN DELETE FROM premise_geo WHERE rid = old.rowid; END;
)sql";

// v3: laid out for the lookup a dispatch makes. Flags and history are
// clustered by premise (WITHOUT ROWID, keyed premise first), so one B-tree
// descent finds every flag or history row of a premise instead of one index
// probe plus one row fetch per row. The street index covers every element
// the matcher compares, so the candidates sharing a house number and street
// name are read from the index alone. The subject index leaves out
// premise-only flags, which it never serves. Rows are copied as they are:
// the sealed values' associated data names table, column and ids, not
// storage, so they still open.
constexpr const char* kV3 = R"sql(
CREATE TABLE flags_v3(
  premise_id TEXT NOT NULL REFERENCES premises(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  id TEXT NOT NULL,
  subject_id TEXT REFERENCES subjects(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  kind TEXT NOT NULL, code TEXT NOT NULL, note BLOB, audience TEXT NOT NULL,
  expires TEXT, validated TEXT,
  PRIMARY KEY(premise_id, id)) WITHOUT ROWID;
INSERT INTO flags_v3(premise_id, id, subject_id, kind, code, note, audience, expires, validated)
  SELECT premise_id, id, subject_id, kind, code, note, audience, expires, validated FROM flags;
DROP TABLE flags;
ALTER TABLE flags_v3 RENAME TO flags;
CREATE UNIQUE INDEX flags_id ON flags(id);
CREATE INDEX flags_subject ON flags(subject_id) WHERE subject_id IS NOT NULL;
CREATE TABLE history_v3(
  premise_id TEXT NOT NULL REFERENCES premises(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  incident TEXT NOT NULL, at TEXT NOT NULL, call_type BLOB, disposition BLOB,
  PRIMARY KEY(premise_id, incident)) WITHOUT ROWID;
INSERT INTO history_v3 SELECT premise_id, incident, at, call_type, disposition FROM history;
DROP TABLE history;
ALTER TABLE history_v3 RENAME TO history;
DROP INDEX premises_street;
CREATE INDEX premises_street ON premises(hno, name, hns, predir, pretype, type, postdir, unit, unit_display,
                                         city, state, zip, id);
)sql";

// v4: less to store and read per row. A history row's call type and
// disposition are sealed together (one nonce and tag, one decryption); the
// rows are re-sealed by migrate_history_v4 before the old table is dropped
// (kV4Finish). The street index also carries what a lookup returns of the
// chosen premise (display form, coordinates), so a match never goes back to
// the table. The purge that runs on every open reads two partial indexes of
// the flags that carry dates instead of scanning every flag.
constexpr const char* kV4 = R"sql(
CREATE TABLE history_v4(
  premise_id TEXT NOT NULL REFERENCES premises(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  incident TEXT NOT NULL, at TEXT NOT NULL, detail BLOB,
  PRIMARY KEY(premise_id, incident)) WITHOUT ROWID;
CREATE INDEX flags_expires ON flags(expires) WHERE expires IS NOT NULL;
CREATE INDEX flags_validated ON flags(validated) WHERE validated IS NOT NULL;
DROP INDEX premises_street;
CREATE INDEX premises_street ON premises(hno, name, hns, predir, pretype, type, postdir, unit, unit_display,
                                         city, state, zip, id, display, lat, lon);
)sql";

constexpr const char* kV4Finish = R"sql(
DROP TABLE history;
ALTER TABLE history_v4 RENAME TO history;
)sql";

// v5: common place names ("SPRINGFIELD HIGH SCHOOL") a premise answers to,
// keyed by the alias's match key (alias_key) so a lookup is one descent.
// Stored in clear like the premise's address: both are what a dispatch
// names, not who lives there.
constexpr const char* kV5 = R"sql(
CREATE TABLE premise_aliases(
  alias TEXT NOT NULL,
  premise_id TEXT NOT NULL REFERENCES premises(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  PRIMARY KEY(alias, premise_id)) WITHOUT ROWID;
CREATE INDEX premise_aliases_premise ON premise_aliases(premise_id);
)sql";

// v6: row counts kept beside the data (row_counts.h), so stats never counts
// a large table. Filled by recount() in the same step, then kept in step by
// the triggers below (the audit log's until v7 moved it out); the registry
// tables' are dropped and made again by every snapshot (kCreateCountTriggers),
// whose whole-table deletes they would otherwise turn into row-by-row ones.
constexpr const char* kV6 = R"sql(
CREATE TABLE row_counts(tbl TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE flag_code_counts(code TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
CREATE TRIGGER audit_count_ins AFTER INSERT ON audit
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'audit'; END;
CREATE TRIGGER audit_count_del AFTER DELETE ON audit
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'audit'; END;
)sql";

// The flags' and history's counting triggers as v6 made them, on the tables
// that v8 merged (kCreatePremiseRowCountTriggers has today's). An upsert updates a row
// rather than inserting one, so only a changed code moves a flag between
// per-code counts. A code's row goes when its count reaches 0, so the table
// lists exactly the codes held.
constexpr const char* kCreateCountTriggersV6 = R"sql(
CREATE TRIGGER history_count_ins AFTER INSERT ON history
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'history'; END;
CREATE TRIGGER history_count_del AFTER DELETE ON history
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'history'; END;
CREATE TRIGGER flags_count_ins AFTER INSERT ON flags
BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'flags';
  INSERT INTO flag_code_counts(code, n) VALUES(new.code, 1) ON CONFLICT(code) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER flags_count_del AFTER DELETE ON flags
BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'flags';
  UPDATE flag_code_counts SET n = n - 1 WHERE code = old.code;
  DELETE FROM flag_code_counts WHERE code = old.code AND n <= 0;
END;
CREATE TRIGGER flags_count_code AFTER UPDATE OF code ON flags WHEN old.code IS NOT new.code
BEGIN
  UPDATE flag_code_counts SET n = n - 1 WHERE code = old.code;
  DELETE FROM flag_code_counts WHERE code = old.code AND n <= 0;
  INSERT INTO flag_code_counts(code, n) VALUES(new.code, 1) ON CONFLICT(code) DO UPDATE SET n = n + 1;
END;
)sql";

// v7: the audit chain leaves this file for one of its own (audit_log.h), so
// that an audit record no longer empties the lookup connection's page cache.
// Its records are copied there first (AuditLog::adopt_from), then dropped.
constexpr const char* kV7 = R"sql(
DROP TRIGGER audit_count_ins;
DROP TRIGGER audit_count_del;
DROP TABLE audit;
DELETE FROM row_counts WHERE tbl = 'audit';
DELETE FROM meta WHERE key = 'audit_head';
)sql";

// v8: a premise's flags and history in one table, clustered by premise, so
// the lookup a dispatch makes reads them in one B-tree descent and one
// statement instead of two (issue 16: about 2 µs of a 26 µs lookup). `rec`
// tells them apart (0 a flag, 1 a history row) and keys second, so each
// kind's rows stay together in its id order; `id` is the flag's id or the
// history row's incident. The views `flags` and `history` show each kind as
// its own table did, for everything that reads them (stats, verify, the
// import's reference checks); writes go to premise_rows. Sealed values are
// copied as they are: their associated data names flag and incident, not
// the table.
constexpr const char* kV8 = R"sql(
CREATE TABLE premise_rows(
  premise_id TEXT NOT NULL REFERENCES premises(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  rec INTEGER NOT NULL CHECK(rec IN (0, 1)),
  id TEXT NOT NULL,
  subject_id TEXT REFERENCES subjects(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  kind TEXT, code TEXT, note BLOB, audience TEXT, expires TEXT, validated TEXT,
  at TEXT, detail BLOB,
  CHECK(rec = 1 OR (kind IS NOT NULL AND code IS NOT NULL AND audience IS NOT NULL AND at IS NULL)),
  CHECK(rec = 0 OR (at IS NOT NULL AND subject_id IS NULL AND kind IS NULL)),
  PRIMARY KEY(premise_id, rec, id)) WITHOUT ROWID;
INSERT INTO premise_rows(premise_id, rec, id, subject_id, kind, code, note, audience, expires, validated)
  SELECT premise_id, 0, id, subject_id, kind, code, note, audience, expires, validated FROM flags;
INSERT INTO premise_rows(premise_id, rec, id, at, detail) SELECT premise_id, 1, incident, at, detail FROM history;
DROP TABLE flags;
DROP TABLE history;
CREATE UNIQUE INDEX flags_id ON premise_rows(id) WHERE rec = 0;
CREATE INDEX flags_subject ON premise_rows(subject_id) WHERE subject_id IS NOT NULL;
CREATE INDEX flags_expires ON premise_rows(expires) WHERE expires IS NOT NULL;
CREATE INDEX flags_validated ON premise_rows(validated) WHERE validated IS NOT NULL;
CREATE VIEW flags AS
  SELECT premise_id, id, subject_id, kind, code, note, audience, expires, validated FROM premise_rows WHERE rec = 0;
CREATE VIEW history AS SELECT premise_id, id AS incident, at, detail FROM premise_rows WHERE rec = 1;
)sql";

// An upsert updates a row rather than inserting one, so only a changed code
// moves a flag between per-code counts. A code's row goes when its count
// reaches 0, so the table lists exactly the codes held.
constexpr const char* kCreateCountTriggers = R"sql(
CREATE TRIGGER premises_count_ins AFTER INSERT ON premises
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'premises'; END;
CREATE TRIGGER premises_count_del AFTER DELETE ON premises
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'premises'; END;
CREATE TRIGGER subjects_count_ins AFTER INSERT ON subjects
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'subjects'; END;
CREATE TRIGGER subjects_count_del AFTER DELETE ON subjects
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'subjects'; END;
)sql";

// The premise_rows half, which the step to v8 makes on its own: v6's
// triggers on premises and subjects stay as they were.
constexpr const char* kCreatePremiseRowCountTriggers = R"sql(
CREATE TRIGGER history_count_ins AFTER INSERT ON premise_rows WHEN new.rec = 1
BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = 'history'; END;
CREATE TRIGGER history_count_del AFTER DELETE ON premise_rows WHEN old.rec = 1
BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = 'history'; END;
CREATE TRIGGER flags_count_ins AFTER INSERT ON premise_rows WHEN new.rec = 0
BEGIN
  UPDATE row_counts SET n = n + 1 WHERE tbl = 'flags';
  INSERT INTO flag_code_counts(code, n) VALUES(new.code, 1) ON CONFLICT(code) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER flags_count_del AFTER DELETE ON premise_rows WHEN old.rec = 0
BEGIN
  UPDATE row_counts SET n = n - 1 WHERE tbl = 'flags';
  UPDATE flag_code_counts SET n = n - 1 WHERE code = old.code;
  DELETE FROM flag_code_counts WHERE code = old.code AND n <= 0;
END;
CREATE TRIGGER flags_count_code AFTER UPDATE OF code ON premise_rows WHEN new.rec = 0 AND old.code IS NOT new.code
BEGIN
  UPDATE flag_code_counts SET n = n - 1 WHERE code = old.code;
  DELETE FROM flag_code_counts WHERE code = old.code AND n <= 0;
  INSERT INTO flag_code_counts(code, n) VALUES(new.code, 1) ON CONFLICT(code) DO UPDATE SET n = n + 1;
END;
)sql";

constexpr const char* kDropCountTriggers = R"sql(
DROP TRIGGER premises_count_ins;
DROP TRIGGER premises_count_del;
DROP TRIGGER subjects_count_ins;
DROP TRIGGER subjects_count_del;
DROP TRIGGER history_count_ins;
DROP TRIGGER history_count_del;
DROP TRIGGER flags_count_ins;
DROP TRIGGER flags_count_del;
DROP TRIGGER flags_count_code;
)sql";

constexpr const char* kSteps[] = {kV1, kV2, kV3, kV4, kV5, kV6, kV7, kV8};
static_assert(std::size(kSteps) == kSchemaVersion, "one step per schema version");

// Re-seals every v3 history row into the v4 layout. A value that does not
// open (altered on disk) becomes a NULL detail, which a lookup shows as
// unreadable, as it showed the value before.
void migrate_history_v4(Db& db, const FieldCipher& cipher) {
  Stmt read(db, "SELECT premise_id, incident, at, call_type, disposition FROM history");
  Stmt put(db, "INSERT INTO history_v4(premise_id, incident, at, detail) VALUES(?1, ?2, ?3, ?4)");
  std::string aad;
  while (read.step()) {
    const std::string premise = read.text(0), incident = read.text(1);
    history_aad(aad, premise, incident);
    const auto call_type = cipher.open(read.blob_view(3), aad + ":call_type");
    const auto disposition = cipher.open(read.blob_view(4), aad + ":disposition");
    put.bind(1, premise).bind(2, incident).bind(3, read.text(2));
    if (call_type && disposition) put.bind_blob(4, cipher.seal(encode_history_detail(*call_type, *disposition), aad));
    else put.bind_null(4);
    put.run();
  }
}

// The current definitions of what a snapshot rebuilds (kept equal to the
// migrations above; a test compares them with a freshly migrated file).
constexpr const char* kDropDerived = R"sql(
DROP TRIGGER premise_geo_ins;
DROP TRIGGER premise_geo_upd;
DROP TRIGGER premise_geo_del;
DROP TABLE premise_geo;
DROP INDEX premises_street;
)sql";

constexpr const char* kCreateDerived = R"sql(
CREATE INDEX premises_street ON premises(hno, name, hns, predir, pretype, type, postdir, unit, unit_display,
                                         city, state, zip, id, display, lat, lon);
CREATE VIRTUAL TABLE premise_geo USING rtree(rid, min_lat, max_lat, min_lon, max_lon);
)sql";

// Filled between the two (fill_premise_geo), then kept in step by these.
constexpr const char* kCreateGeoTriggers = R"sql(
CREATE TRIGGER premise_geo_ins AFTER INSERT ON premises WHEN new.lat IS NOT NULL AND new.lon IS NOT NULL
BEGIN INSERT INTO premise_geo VALUES(new.rowid, new.lat, new.lat, new.lon, new.lon); END;
CREATE TRIGGER premise_geo_upd AFTER UPDATE OF lat, lon ON premises
BEGIN
  DELETE FROM premise_geo WHERE rid = old.rowid;
  INSERT INTO premise_geo SELECT new.rowid, new.lat, new.lat, new.lon, new.lon
    WHERE new.lat IS NOT NULL AND new.lon IS NOT NULL;
END;
CREATE TRIGGER premise_geo_del AFTER DELETE ON premises
BEGIN DELETE FROM premise_geo WHERE rid = old.rowid; END;
)sql";

// Writes a streamed pack into premise_geo's three shadow tables. Nodes and
// parents come in key order, so those tables are appended to. Leaves come
// in tile order: when the premises' rowids are dense (a snapshot numbers
// them from 1) each one's leaf is noted in a small array and written by
// rowid at the end, so that table is appended to as well; otherwise it is
// written as it comes.
class GeoShadowSink : public RtreeSink {
 public:
  GeoShadowSink(Db& db, int64_t min_rowid, int64_t max_rowid, std::size_t count)
      : node_(db, "INSERT OR REPLACE INTO premise_geo_node(nodeno, data) VALUES(?1, ?2)"),
        parent_(db, "INSERT INTO premise_geo_parent(nodeno, parentnode) VALUES(?1, ?2)"),
        leaf_(db, "INSERT INTO premise_geo_rowid(rowid, nodeno) VALUES(?1, ?2)"),
        min_rowid_(min_rowid) {
    // 4 bytes a rowid: a few megabytes at a million premises, where the
    // rowids leave at most as many gaps as rows.
    if (count > 0 && static_cast<uint64_t>(max_rowid - min_rowid) < 2 * static_cast<uint64_t>(count) + 1024)
      leaf_of_.assign(static_cast<std::size_t>(max_rowid - min_rowid + 1), 0);
  }
  void node(int64_t nodeno, const std::vector<unsigned char>& data) override {
    node_.bind(1, nodeno).bind_blob_static(2, data).run();
  }
  void leaf(int64_t rowid, int64_t nodeno) override {
    if (leaf_of_.empty()) leaf_.bind(1, rowid).bind(2, nodeno).run();
    else leaf_of_[static_cast<std::size_t>(rowid - min_rowid_)] = static_cast<uint32_t>(nodeno);
  }
  void parent(int64_t nodeno, int64_t parent) override { parent_.bind(1, nodeno).bind(2, parent).run(); }
  void finish() {
    for (std::size_t i = 0; i < leaf_of_.size(); ++i)
      if (leaf_of_[i] != 0) leaf_.bind(1, min_rowid_ + static_cast<int64_t>(i)).bind(2, int64_t{leaf_of_[i]}).run();
  }

 private:
  Stmt node_, parent_, leaf_;
  int64_t min_rowid_;
  std::vector<uint32_t> leaf_of_;  // leaf nodeno by rowid - min_rowid, 0 for none
};

// Packs every premise with coordinates into the empty premise_geo at once
// (rtree_pack.h). SQLite sorts the points by longitude (its sorter spills to
// the temporary file past the page cache's size), and the packer tiles them
// as they come, one vertical slice at a time, so memory does not grow with
// the number of premises beyond 4 bytes each.
void fill_premise_geo(Db& db) {
  Stmt size(db, "SELECT length(data) FROM premise_geo_node WHERE nodeno = 1");
  if (!size.step()) throw SqlError(SQLITE_CORRUPT, "premise_geo has no root node");
  const auto node_bytes = static_cast<std::size_t>(size.integer(0));
  Stmt count(db, "SELECT count(*), min(rowid), max(rowid) FROM premises WHERE lat IS NOT NULL AND lon IS NOT NULL");
  count.step();
  const auto n = static_cast<std::size_t>(count.integer(0));
  const int64_t min_rowid = count.integer(1), max_rowid = count.integer(2);
  count.reset();
  GeoShadowSink sink(db, min_rowid, max_rowid, n);
  RtreePacker packer(n, node_bytes, sink);
  Stmt read(db, "SELECT rowid, lat, lon FROM premises WHERE lat IS NOT NULL AND lon IS NOT NULL ORDER BY lon");
  std::size_t got = 0;
  while (read.step() && got < n) {
    packer.add({read.integer(0), read.real(1), read.real(2)});
    ++got;
  }
  packer.finish();
  sink.finish();
}

bool meta_has_audit_head(Db& db) {
  Stmt q(db, "SELECT 1 FROM meta WHERE key = 'audit_head'");
  return q.step();
}

}  // namespace

void begin_replace_all(Db& db) {
  db.exec(kDropDerived);
  db.exec(kDropCountTriggers);
  // With the triggers gone (and foreign keys off for the import) these are
  // whole-table truncations, not row-by-row deletes.
  db.exec("DELETE FROM premise_rows; DELETE FROM subjects; DELETE FROM premise_aliases; DELETE FROM premises;");
}

void end_replace_all(Db& db) {
  db.exec(kCreateDerived);
  fill_premise_geo(db);
  db.exec(kCreateGeoTriggers);
  // One count per table over the loaded rows costs less than a trigger
  // firing for each of them.
  recount(db);
  db.exec(kCreateCountTriggers);
  db.exec(kCreatePremiseRowCountTriggers);
}

int schema_version(Db& db) {
  Stmt has(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'");
  has.step();
  if (has.integer(0) == 0) return 0;
  Stmt v(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  v.step();
  return static_cast<int>(v.integer(0));
}

void migrate(Db& db, int target, const FieldCipher* cipher, AuditLog* audit) {
  // Reads only, when nothing is due: opening must not queue for the write
  // lock while another process is importing a large snapshot.
  if (schema_version(db) >= std::min(target, kSchemaVersion)) return;
  db.exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)");
  for (int v = schema_version(db) + 1; v <= target && v <= kSchemaVersion; ++v) {
    Transaction tx(db);
    if (v == 7) {
      // Committed in the audit file before this step commits here: a crash
      // between the two copies again, and skips what is already there.
      Stmt held(db, "SELECT count(*) FROM audit");
      held.step();
      if (held.integer(0) > 0 || meta_has_audit_head(db)) {
        if (!audit) throw SqlError(SQLITE_CANTOPEN, "schema step 7 moves the audit chain and its file did not open");
        audit->adopt_from(db);
      }
    }
    db.exec(kSteps[v - 1]);
    if (v == 4) {
      if (!cipher) throw SqlError(SQLITE_MISUSE, "schema step 4 re-seals history and needs the cache's key");
      migrate_history_v4(db, *cipher);
      db.exec(kV4Finish);
    }
    if (v == 6) {
      recount(db, RowsIn::flags_and_history_tables);
      db.exec(kCreateCountTriggers);
      db.exec(kCreateCountTriggersV6);
    }
    if (v == 8) db.exec(kCreatePremiseRowCountTriggers);  // v6's went with the tables they were on
    db.exec("INSERT INTO schema_version VALUES(" + std::to_string(v) + ", strftime('%Y-%m-%dT%H:%M:%SZ','now'))");
    tx.commit();
  }
}

}  // namespace mdtc::cache
