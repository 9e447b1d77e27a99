// Snapshot, delta, tombstones and whole-file rejection on a real SQLite file.
#include "cache_fixture.h"
#include "fault_vfs.h"
#include "mdtc/sqlite.h"
#include "mdtc/time_text.h"

namespace mdtc::cache::test {
namespace {

using sql::Db;
using sql::Stmt;

class RegistryImport : public CacheTest {
 protected:
  // As if the last word from the registry came two days ago.
  void age_last_sync() {
    Db raw(db, SQLITE_OPEN_READWRITE);
    raw.exec("UPDATE meta SET value = CAST(value AS INTEGER) - 172800 WHERE key = 'last_sync'");
  }
  static std::string snapshot(int version, const std::string& records) {
    return complete("{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":" + std::to_string(version) + "}\n" +
                    records);
  }
  static std::string delta(int version, const std::string& records) {
    return complete("{\"type\":\"header\",\"mode\":\"delta\",\"version\":" + std::to_string(version) + "}\n" +
                    records);
  }
};

const std::string kDog = R"({"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-9","premise":"P-9","kind":"safety","code":"DOG","audience":"all"}
)";

// --- Issue 13.1: an empty file, a directory, a delta on nothing.

TEST_F(RegistryImport, EmptyFileIsRefusedAndANewCacheStaysUnavailable) {
  Cache c = open();
  for (const std::string text : {"", "\n", "  \n\r\n"}) {
    auto r = c.import_text(text, "empty.jsonl");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "registry.empty");
  }
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  EXPECT_EQ(m.freshness, Freshness::unavailable) << "never \"no flags\" from a cache that holds nothing";
  EXPECT_FALSE(c.synced_version().has_value());
}

TEST_F(RegistryImport, DirectoryIsRefused) {
  Cache c = open();
  auto r = c.import_file(dir.path());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.not_a_file");
  EXPECT_EQ(match(c, "1 ELM ST").freshness, Freshness::unavailable);
}

TEST_F(RegistryImport, DeltaIntoACacheThatNeverHadASnapshotIsRefused) {
  Cache c = open();
  auto r = c.import_text(delta(1, kDog), "d1.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.no_base");
  EXPECT_EQ(match(c, "5 ELM ST, SPRINGFIELD IL").freshness, Freshness::unavailable);
  // Not even a legacy header-less file makes a cache without a snapshot answer.
  auto legacy = c.import_text(kDog, "old.jsonl", {.legacy = true});
  ASSERT_FALSE(legacy.ok());
  EXPECT_EQ(legacy.error().code, "registry.no_base");
}

TEST_F(RegistryImport, DeltaOnAnotherVersionThanTheCacheHoldsIsRefused) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  auto r = c.import_text(delta(3, kDog), "d3.jsonl");  // base 2, the cache holds 1
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.base_mismatch");
  EXPECT_NE(r.error().message.find("holds version 1"), std::string::npos) << r.error().message;
  auto next = c.import_text(delta(2, kDog), "d2.jsonl");
  ASSERT_TRUE(next.ok()) << next.error().message;
  EXPECT_EQ(flag_ids(match(c, "5 ELM ST, SPRINGFIELD IL")), (std::vector<std::string>{"F-9"}));
}

// --- Issue 13.2: a snapshot cut off at a line boundary.

TEST_F(RegistryImport, SnapshotCutAtALineBoundaryIsRefusedAndTheDataStays) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  const std::string next = snapshot(2, kDog);
  // Every cut at a line end, down to the header alone.
  for (std::size_t end = next.rfind('\n', next.size() - 2); end != std::string::npos && end > 0;
       end = next.rfind('\n', end - 1)) {
    auto r = c.import_text(next.substr(0, end + 1), "cut.jsonl");
    ASSERT_FALSE(r.ok()) << "cut at byte " << end;
    EXPECT_EQ(r.error().code, "registry.incomplete") << r.error().message;
  }
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")),
            (std::vector<std::string>{"F-1", "F-2", "F-3"}));
  EXPECT_EQ(c.stats()->history, 1);
  EXPECT_EQ(c.stats()->registry_version, 1);
}

TEST_F(RegistryImport, TrailerMustMatchTheBytesAndTheCounts) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  std::string altered = snapshot(2, kDog);
  altered.replace(altered.find("DOG"), 3, "CAT");
  auto r = c.import_text(altered, "altered.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.incomplete");
  EXPECT_NE(r.error().message.find("SHA-256"), std::string::npos);

  // A writer that counted wrong: hash right, counts wrong.
  const std::string header = R"({"type":"header","mode":"snapshot","version":2,"premises":1,"subjects":0,"flags":2,"history":0,"deletes":0})";
  const std::string body = header + "\n" + kDog;
  auto miscounted = c.import_text(body + registry_trailer(body, {1, 0, 2, 0, 0}) + "\n", "miscounted.jsonl");
  ASSERT_FALSE(miscounted.ok());
  EXPECT_EQ(miscounted.error().code, "registry.incomplete");
  EXPECT_NE(miscounted.error().message.find("1 flags"), std::string::npos) << miscounted.error().message;
  EXPECT_EQ(c.stats()->flags, 3);
}

// What an admin's hand-made file gets wrong is said as such, not as a cut-off file.
TEST_F(RegistryImport, ATrailerThatDoesNotParseAndAByteOrderMarkAreNamed) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  std::string upper = snapshot(2, kDog);
  const auto sha = upper.find("\"sha256\":\"") + 10;
  for (std::size_t k = sha; k < sha + 64; ++k) upper[k] = static_cast<char>(std::toupper(upper[k]));
  auto r = c.import_text(upper, "upper.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.incomplete");
  EXPECT_NE(r.error().message.find("no valid trailer"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("lower-case hex"), std::string::npos) << r.error().message;

  auto bom = c.import_text("\xEF\xBB\xBF" + snapshot(2, kDog), "bom.jsonl");
  ASSERT_FALSE(bom.ok());
  EXPECT_NE(bom.error().message.find("byte order mark"), std::string::npos) << bom.error().message;
  EXPECT_EQ(c.stats()->registry_version, 1);
}

TEST_F(RegistryImport, HeaderlessFileNeedsTheLegacyOption) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  auto refused = c.import_text(kDog, "old.jsonl");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "registry.no_header");
  auto accepted = c.import_text(kDog, "old.jsonl", {.legacy = true});
  ASSERT_TRUE(accepted.ok()) << accepted.error().message;
  EXPECT_EQ(flag_ids(match(c, "5 ELM ST, SPRINGFIELD IL")), (std::vector<std::string>{"F-9"}));
}

// --- Issue 13.3: freshness moves only when the registry changed or confirmed the data.

TEST_F(RegistryImport, ANoOpImportDoesNotMakeAStaleCacheFresh) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  age_last_sync();
  const auto stale = [&] { return match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").freshness; };
  ASSERT_EQ(stale(), Freshness::stale);
  // The same header once more, nothing after it: no news from the registry.
  EXPECT_FALSE(c.import_text(R"({"type":"header","mode":"delta","version":1})", "again.jsonl").ok());
  EXPECT_FALSE(c.import_text(delta(1, ""), "again.jsonl").ok());
  EXPECT_EQ(stale(), Freshness::stale);
  // A legacy file without a version changes rows but confirms nothing.
  auto legacy = c.import_text(kDog, "old.jsonl", {.legacy = true});
  ASSERT_TRUE(legacy.ok()) << legacy.error().message;
  EXPECT_FALSE(legacy->freshness_moved);
  EXPECT_EQ(stale(), Freshness::stale);
  // The registry's next version, even an empty one, says all is current.
  auto empty_delta = c.import_text(delta(2, ""), "v2.jsonl");
  ASSERT_TRUE(empty_delta.ok()) << empty_delta.error().message;
  EXPECT_TRUE(empty_delta->freshness_moved);
  EXPECT_EQ(stale(), Freshness::fresh);
}

TEST_F(RegistryImport, TheSameSnapshotAgainConfirmsTheData) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  age_last_sync();
  auto again = c.import_text(kExample, "v1.jsonl");
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").freshness, Freshness::fresh);
}

// --- Issue 13.4: one id twice in a file.

TEST_F(RegistryImport, DuplicateIdIsRefusedNamingBothLines) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  const std::string twice = snapshot(2, R"({"type":"premise","id":"P-1","address":"1208 N Maple St Apt 3B, Springfield IL"}
{"type":"flag","id":"F-1","premise":"P-1","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"flag","id":"F-2","premise":"P-1","kind":"care","code":"AUTISM","audience":"all"}
{"type":"flag","id":"F-1","premise":"P-1","kind":"care","code":"IN_TREATMENT","audience":"clinician"}
)");
  auto r = c.import_text(twice, "twice.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.duplicate_id");
  EXPECT_EQ(r.error().message.rfind("twice.jsonl:5: F-1 was already given at line 3", 0), 0u) << r.error().message;
  const MatchResult m = match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL");
  ASSERT_FALSE(m.flags.empty());
  EXPECT_EQ(m.flags[0].code, "WEAPONS");
  EXPECT_EQ(m.flags[0].audience, Audience::all);
}

TEST_F(RegistryImport, ReportCountsRowsHeld) {
  Cache c = open();
  auto r = c.import_text(kExample, "v1.jsonl");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->flags_held, 3);
  auto d = c.import_text(delta(2, R"({"type":"delete","id":"F-2"}
)"),
                         "v2.jsonl");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->flags_held, 2);
}

// Found from outside: a flag that arrived already expired counted in
// flags_held until the next open purged it.
TEST_F(RegistryImport, FlagsThatArrivePastTheirDatesAreNotKeptAndAreCounted) {
  Cache c = open();
  auto r = c.import_text(snapshot(1, R"({"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-1","premise":"P-9","kind":"safety","code":"DOG","audience":"all","expires":"2001-01-01"}
{"type":"flag","id":"F-2","premise":"P-9","kind":"care","code":"AUTISM","audience":"all","validated":"2001-01-01"}
{"type":"flag","id":"F-3","premise":"P-9","kind":"safety","code":"WEAPONS","audience":"all","expires":"2099-01-01"}
)"), "v1.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->flags, 3);
  EXPECT_EQ(r->flags_lapsed, 2);
  EXPECT_EQ(r->flags_held, 1);
  EXPECT_EQ(c.stats()->flags, 1);
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], "v1.jsonl:1: 2 flags are past their expires date or not re-validated within 365 days: not kept");
  EXPECT_EQ(flag_ids(match(c, "5 ELM ST, SPRINGFIELD IL")), (std::vector<std::string>{"F-3"}));
}

// Found from outside: "expires":"" was read as "never expires".
TEST_F(RegistryImport, AnEmptyDateIsRefusedAndTheDataStays) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  for (const char* field : {"expires", "validated"}) {
    // A legacy file, written as is: complete() would refuse the line.
    auto r = c.import_text(std::string(R"({"type":"flag","id":"F-10","premise":"P-1","kind":"safety","code":"DOG","audience":"all"}
{"type":"flag","id":"F-9","premise":"P-1","kind":"safety","code":"DOG","audience":"all",")") +
                               field + R"(":""}
)",
                           "v2.jsonl", {.legacy = true});
    ASSERT_FALSE(r.ok()) << field;
    EXPECT_EQ(r.error().code, "registry.bad_field");
    EXPECT_NE(r.error().message.find(std::string("v2.jsonl:2: \"") + field + "\" is empty"), std::string::npos)
        << r.error().message;
  }
  EXPECT_EQ(c.stats()->flags, 3);
}

// A validated date typed in the future would keep the flag from ever
// coming due for re-validation: it is stored as validated today.
TEST_F(RegistryImport, AValidatedDateAfterTodayIsStoredAsToday) {
  Cache c = open();
  auto r = c.import_text(snapshot(1, R"({"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-1","premise":"P-9","kind":"care","code":"AUTISM","audience":"all","validated":"2062-11-20"}
)"), "v1.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  const std::string today = iso_date_utc(now_unix());
  ASSERT_EQ(r->warnings.size(), 1u);
  EXPECT_EQ(r->warnings[0], "v1.jsonl:3: flag F-1 was validated 2062-11-20, after today: stored as validated " + today);
  const MatchResult m = match(c, "5 ELM ST, SPRINGFIELD IL");
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].validated, today);
}

// --- A snapshot that would empty most of the cache.

TEST_F(RegistryImport, SnapshotRemovingMostFlagsIsRefusedUnlessAllowed) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  const std::string small = snapshot(2, kDog);  // 3 flags -> 1
  auto r = c.import_text(small, "small.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.shrink");
  EXPECT_EQ(c.stats()->flags, 3);
  auto allowed = c.import_text(small, "small.jsonl", {.allow_shrink = true});
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(c.stats()->flags, 1);
}

// A delta deleting most of the flags (a registry bug, a wrong export) made
// every panel say "no flags" with nothing refused: the same guard holds,
// once it removes at least ten flags (small caches move by whole percents).
TEST_F(RegistryImport, DeltaRemovingMostFlagsIsRefusedUnlessAllowed) {
  Cache c = open();
  std::string premises, deletes;
  for (int i = 0; i < 20; ++i) {
    const std::string n = std::to_string(i);
    premises += R"({"type":"premise","id":"P-)" + n + R"(","address":")" + std::to_string(i + 1) + R"( ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-)" + n + R"(","premise":"P-)" + n + R"(","kind":"safety","code":"DOG","audience":"all"}
)";
    if (i < 15) deletes += R"({"type":"delete","id":"P-)" + n + "\"}\n";
  }
  ASSERT_TRUE(c.import_text(snapshot(1, premises), "v1.jsonl").ok());
  auto r = c.import_text(delta(2, deletes), "v2.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.shrink");
  EXPECT_NE(r.error().message.find("this delta would remove 15 of the cache's 20 flags"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(c.stats()->flags, 20);
  EXPECT_TRUE(c.import_text(delta(2, R"({"type":"delete","id":"P-0"}
)"), "v2-small.jsonl").ok()) << "a delta removing a few flags is a delta";
  auto allowed = c.import_text(delta(3, deletes), "v3.jsonl", {.allow_shrink = true});
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  EXPECT_EQ(c.stats()->flags, 5);
}

// CAD's text that names no single door reads "not understood"; the same
// text as a premise on file is read as it always was, so one such line never
// refuses a registry file (which would stop every car's updates).
TEST_F(RegistryImport, PremiseTextCadWouldNotTakeAsOneDoorStillImports) {
  Cache c = open();
  auto r = c.import_text(snapshot(1, R"({"type":"premise","id":"P-1","address":"313-317 Broadway, Springfield IL"}
{"type":"premise","id":"P-2","address":"0 County Road 12, Springfield IL"}
{"type":"flag","id":"F-1","premise":"P-1","kind":"safety","code":"DOG","audience":"all"}
)"), "ranges.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(c.stats()->premises, 2);
  const MatchResult m = match(c, "313-317 BROADWAY, SPRINGFIELD IL");
  EXPECT_TRUE(m.unparsed) << "CAD's range is still not one door";
}

// A registry offered "delta version 2" and sent snapshot version 1: applied
// under the offer's name, the sync's report and counters named another file.
TEST_F(RegistryImport, AFileThatIsNotWhatTheRegistryOfferedIsRefused) {
  Cache c = open();
  ImportOptions offered;
  offered.offered_mode = "delta";
  offered.offered_version = 2;
  auto r = c.import_text(kExample, "offer.jsonl", offered);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.offer_mismatch");
  EXPECT_NE(r.error().message.find("offered delta version 2, and the file is snapshot version 1"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(c.stats()->premises, 0);
  offered.offered_mode = "snapshot";
  offered.offered_version = 1;
  EXPECT_TRUE(c.import_text(kExample, "offer.jsonl", offered).ok());
}

TEST_F(RegistryImport, ShrinkLimitComesFromTheOpenOptions) {
  OpenOptions o;
  o.max_snapshot_shrink_pct = 70;
  Cache c = open(o);
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  EXPECT_TRUE(c.import_text(snapshot(2, kDog), "small.jsonl").ok()) << "2 of 3 removed is within 70%";
}

TEST_F(RegistryImport, SnapshotReportsCounts) {
  Cache c = open();
  auto r = c.import_text(kExample, "example.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->mode, "snapshot");
  EXPECT_EQ(r->version, 1);
  EXPECT_EQ(r->premises, 2);
  EXPECT_EQ(r->subjects, 1);
  EXPECT_EQ(r->flags, 3);
  EXPECT_EQ(r->history, 1);
  auto s = c.stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->flags, 3);
  EXPECT_EQ(s->registry_version, 1);
  EXPECT_EQ(s->last_mode, "snapshot");
  EXPECT_TRUE(s->age_s.has_value());
}

// A cache whose premises were normalized by older address rules asks the
// registry for a snapshot, not a delta, so no premise stays in a form that
// today's queries no longer produce; the snapshot makes it current again.
TEST_F(RegistryImport, PremisesFromOlderAddressRulesAskForASnapshot) {
  {
    Cache c = open();
    ASSERT_TRUE(c.import_text(kExample, "example.jsonl").ok());
    EXPECT_FALSE(c.wants_snapshot());
    EXPECT_TRUE(c.stats()->address_rules_current);
  }
  {
    Db raw(db, SQLITE_OPEN_READWRITE);  // as a cache written before the rules had a version
    raw.exec("DELETE FROM meta WHERE key = 'address_rules'");
  }
  Cache c = open();
  EXPECT_EQ(c.synced_version(), 1) << "the data and its version stay as they are";
  EXPECT_TRUE(c.wants_snapshot()) << "but only a snapshot will re-read the premises";
  EXPECT_FALSE(c.stats()->address_rules_current);
  ASSERT_TRUE(c.import_text(delta(2, kDog), "delta.jsonl").ok()) << "a delta still applies";
  EXPECT_EQ(c.synced_version(), 2);
  EXPECT_TRUE(c.wants_snapshot()) << "a delta re-normalizes only its own premises";
  ImportOptions shrink;
  shrink.allow_shrink = true;
  const auto snap = c.import_text(snapshot(3, kDog), "snapshot.jsonl", shrink);
  ASSERT_TRUE(snap.ok()) << snap.error().message;
  EXPECT_EQ(c.synced_version(), 3);
  EXPECT_FALSE(c.wants_snapshot());
  EXPECT_TRUE(c.stats()->address_rules_current);
}

// What doctor and the plugin's log say of rules not this build's: which
// ones, and which way they differ (a rollback leaves newer ones).
TEST(AddressRulesProblem, SaysWhichRulesAndWhichWay) {
  const std::string ours = std::to_string(kAddressRulesVersion);
  const std::string tail = ": until a snapshot re-reads them, an address written the ways the rules changed may find nothing";
  EXPECT_EQ(address_rules_problem("9"), "premises read under address rules 9, older than this build's " + ours + tail);
  EXPECT_EQ(address_rules_problem(std::to_string(kAddressRulesVersion + 1)),
            "premises read under address rules " + std::to_string(kAddressRulesVersion + 1) +
                ", newer than this build's " + ours + " (written by a later release)" + tail);
  EXPECT_EQ(address_rules_problem("1"),
            "premises read under address rules from before the rules had a version, older than this build's " + ours +
                tail);
  EXPECT_EQ(address_rules_problem("9x"),
            "premises read under address rules \"9x\" (unreadable), not this build's " + ours + tail);
}

TEST_F(RegistryImport, SyncedVersionAndConfirmationLeaveTheDataAlone) {
  Cache c = open();
  EXPECT_FALSE(c.synced_version().has_value()) << "a fresh cache holds no registry version";
  EXPECT_FALSE(c.mark_synced().ok()) << "nothing applied yet: nothing to confirm";
  ASSERT_TRUE(c.import_text(kExample, "example.jsonl").ok());
  EXPECT_EQ(c.synced_version(), 1);
  ASSERT_TRUE(c.mark_synced().ok());
  auto s = c.stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->registry_version, 1);
  EXPECT_EQ(s->last_mode, "snapshot");
  EXPECT_EQ(s->flags, 3);
  EXPECT_LE(*s->age_s, 1);
}

TEST_F(RegistryImport, BadLineRejectsWholeFileAndKeepsPreviousData) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  const std::string bad = R"({"type":"header","mode":"snapshot","version":2}
{"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-9","premise":"P-9","kind":"safety","code":"DOG","audience":"all"}
{"type":"flag","id":"F-10","premise":"P-9","kind":"bogus","code":"DOG"}
)";
  auto r = c.import_text(bad, "b.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("b.jsonl:4: ", 0), 0u) << r.error().message;
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")),
            (std::vector<std::string>{"F-1", "F-2", "F-3"}));
  EXPECT_EQ(match(c, "5 ELM ST, SPRINGFIELD IL").level, MatchLevel::none);
  EXPECT_EQ(c.stats()->registry_version, 1);
  EXPECT_EQ(c.stats()->import_rejects, 1);
  EXPECT_EQ(c.stats()->last_reject.rfind("b.jsonl:4: ", 0), 0u);
}

TEST_F(RegistryImport, DanglingReferenceRejectsFileNamingTheLine) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-7","premise":"P-404","kind":"safety","code":"DOG"}
)", "d.jsonl", {.legacy = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.dangling_reference");
  EXPECT_NE(r.error().message.find("d.jsonl:1:"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("P-404"), std::string::npos);
  EXPECT_EQ(c.stats()->flags, 3);
}

TEST_F(RegistryImport, SnapshotReplacesEverything) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"header","mode":"snapshot","version":2}
{"type":"premise","id":"P-5","address":"5 ELM ST, SPRINGFIELD IL"}
{"type":"flag","id":"F-5","premise":"P-5","kind":"safety","code":"DOG","audience":"all"}
)", "s2.jsonl", {.legacy = true, .allow_shrink = true});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").level, MatchLevel::none);
  EXPECT_EQ(flag_ids(match(c, "5 Elm Street, Springfield IL")), (std::vector<std::string>{"F-5"}));
  EXPECT_EQ(c.stats()->subjects, 0);
}

TEST_F(RegistryImport, LegacyFileWithoutHeaderIsADelta) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-4","premise":"P-2","kind":"safety","code":"DOG","audience":"all"}
)", "delta.jsonl", {.legacy = true});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->mode, "delta");
  EXPECT_EQ(c.stats()->flags, 4);
  EXPECT_EQ(c.stats()->registry_version, 1);
}

TEST_F(RegistryImport, DeletingASubjectRemovesItsFlagsEverywhere) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  ASSERT_TRUE(c.import_text(delta(2, R"({"type":"flag","id":"F-8","subject":"S-1","premise":"P-2","kind":"care","code":"AUTISM","audience":"all"}
)"),
                            "b.jsonl").ok());
  ASSERT_TRUE(c.import_text(delta(3, R"({"type":"delete","id":"S-1"})"), "c.jsonl").ok());
  EXPECT_TRUE(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").flags.empty());
  EXPECT_TRUE(match(c, "17 OAK AVE, SPRINGFIELD IL").flags.empty());
  EXPECT_EQ(c.stats()->flags, 0);
}

TEST_F(RegistryImport, DeletingAFlagLeavesTheOthers) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  ASSERT_TRUE(c.import_text(delta(2, R"({"type":"delete","id":"F-1"})"), "c.jsonl").ok());
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")), (std::vector<std::string>{"F-2", "F-3"}));
}

TEST_F(RegistryImport, UnknownCodeIsStoredShownAndCounted) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-6","premise":"P-2","kind":"safety","code":"CROSSBOW","audience":"all"}
)", "new-code.jsonl", {.legacy = true});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->unknown_codes, 1);
  EXPECT_EQ(r->unknown_code_names, (std::vector<std::string>{"CROSSBOW"}));
  auto m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].display_name, "Other safety flag (CROSSBOW)");
  EXPECT_GE(m.flags[0].severity, 2);
  EXPECT_EQ(c.stats()->unknown_codes, 1);
}

TEST_F(RegistryImport, OlderVersionIsRefused) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(snapshot(5, ""), "v5").ok());
  auto r = c.import_text(delta(4, ""), "v4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.old_version");
}

TEST_F(RegistryImport, HeaderAfterRecordsIsRejected) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"premise","id":"P-5","address":"5 ELM ST"}
{"type":"header","mode":"snapshot","version":2}
)", "h.jsonl", {.legacy = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.misplaced_header");
  EXPECT_NE(r.error().message.find("h.jsonl:2:"), std::string::npos);
}

TEST_F(RegistryImport, SudFlagIsAlwaysClinicianOnly) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(R"({"type":"flag","id":"F-S","premise":"P-2","kind":"sud","code":"SUD_TREATMENT","audience":"all"}
)", "sud.jsonl", {.legacy = true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->warnings.size(), 1u);
  auto m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].audience, Audience::clinician);
}

// Found from outside: a substance-use treatment code filed as "care" (or
// "safety") for everyone reached an officer's panel as "In substance-use
// treatment". The code decides, whatever kind the registry wrote.
TEST_F(RegistryImport, ASubstanceUseCodeUnderAnotherKindIsStoredAsSudForCliniciansOnly) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  for (const std::string kind : {"care", "safety"}) {
    auto r = c.import_text(R"({"type":"flag","id":"F-S","premise":"P-2","kind":")" + kind +
                               R"(","code":"SUD_TREATMENT","audience":"all"})" + "\n",
                           "sud.jsonl", {.legacy = true});
    ASSERT_TRUE(r.ok()) << kind;
    ASSERT_EQ(r->warnings.size(), 2u) << kind;
    EXPECT_NE(r->warnings[0].find("sud.jsonl:1: flag F-S has code SUD_TREATMENT, a substance-use treatment code "
                                  "(42 CFR Part 2): kind set to sud"),
              std::string::npos)
        << r->warnings[0];
    auto m = match(c, "17 OAK AVE, SPRINGFIELD IL");
    const auto f = std::find_if(m.flags.begin(), m.flags.end(), [](const Flag& x) { return x.id == "F-S"; });
    ASSERT_NE(f, m.flags.end()) << kind;
    EXPECT_EQ(f->kind, FlagKind::sud) << kind;
    EXPECT_EQ(f->audience, Audience::clinician) << kind;
  }
  // A cache filled before the import enforced it: the lookup still reads
  // the code as a clinician-only treatment record.
  {
    Db raw(db, SQLITE_OPEN_READWRITE);
    raw.exec("UPDATE premise_rows SET kind = 'care', audience = 'all' WHERE id = 'F-S'");
  }
  auto m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  const auto f = std::find_if(m.flags.begin(), m.flags.end(), [](const Flag& x) { return x.id == "F-S"; });
  ASSERT_NE(f, m.flags.end());
  EXPECT_EQ(f->kind, FlagKind::sud);
  EXPECT_EQ(f->audience, Audience::clinician);
}

// A premise no text lookup can find is said by id and line: one with
// coordinates only, and one whose address is only a corner (a corner is
// looked up by coordinates only), loudest when it has no coordinates either.
TEST_F(RegistryImport, PremisesTextCannotFindAreWarnedAboutByIdAndLine) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  auto r = c.import_text(
      R"({"type":"premise","id":"P-GEO","lat":39.7,"lon":-89.7}
{"type":"premise","id":"P-CORNER","address":"Main St & 1st Ave, Springfield IL","lat":39.9,"lon":-89.5}
{"type":"flag","id":"F-C","premise":"P-CORNER","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"premise","id":"P-LOST","address":"OAK AVE / ELM ST"}
{"type":"flag","id":"F-L","premise":"P-LOST","kind":"safety","code":"WEAPONS","audience":"all"}
{"type":"premise","id":"P-HOUSE","address":"100 SMITH&JONES ST, SPRINGFIELD IL"}
)",
      "corners.jsonl", {.legacy = true});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->coordinates_only, 1);
  EXPECT_EQ(r->corners, 2);
  EXPECT_EQ(r->unfindable, 1);
  ASSERT_EQ(r->warnings.size(), 3u);
  EXPECT_EQ(r->warnings[0], "corners.jsonl:1: premise P-GEO has no usable address; it can only match by coordinates");
  EXPECT_EQ(r->warnings[1],
            "corners.jsonl:2: premise P-CORNER is only a corner (MAIN ST & 1ST AVE, SPRINGFIELD IL); a corner is "
            "never found by its text, it can only match by coordinates");
  EXPECT_EQ(r->warnings[2],
            "corners.jsonl:4: premise P-LOST is only a corner (OAK AVE & ELM ST); a corner is never found by its "
            "text and it has no coordinates: no lookup can ever find it");
  // What the warnings say is so: the corner's text finds nothing, its point does.
  EXPECT_EQ(match(c, "MAIN ST & 1ST AVE, SPRINGFIELD IL").level, MatchLevel::none);
  EXPECT_EQ(match(c, "MAIN ST & 1ST AVE, SPRINGFIELD IL", 39.9, -89.5).level, MatchLevel::nearby);
  EXPECT_EQ(match(c, "OAK AVE / ELM ST").level, MatchLevel::none);
  // House number 0: no CAD address is read with it ("no door").
  auto zero = c.import_text(
      R"({"type":"premise","id":"P-ZERO","address":"0 County Road MM, Amherst Junction WI"}
)",
      "zero.jsonl", {.legacy = true});
  ASSERT_TRUE(zero.ok()) << zero.error().message;
  EXPECT_EQ(zero->unfindable, 1);
  EXPECT_EQ(zero->corners, 0);
  ASSERT_EQ(zero->warnings.size(), 1u);
  EXPECT_EQ(zero->warnings[0],
            "zero.jsonl:1: premise P-ZERO has house number 0 (0 COUNTY RD MM, AMHERST JUNCTION WI); house number 0 "
            "is never found by its text and it has no coordinates: no lookup can ever find it");
  EXPECT_TRUE(match(c, "0 COUNTY ROAD MM, AMHERST JUNCTION WI").unparsed);
  // A snapshot counts afresh; a plain house warns about nothing.
  auto clean = c.import_text(snapshot(2, kDog), "clean.jsonl", {.allow_shrink = true});
  ASSERT_TRUE(clean.ok()) << clean.error().message;
  EXPECT_TRUE(clean->warnings.empty());
  EXPECT_EQ(clean->corners, 0);
  EXPECT_EQ(clean->unfindable, 0);
  EXPECT_EQ(clean->coordinates_only, 0);
}

// A snapshot of `n` premises (each with a flag and a history row), enough
// lines to cross many of the importer's batches between its threads.
std::string big_snapshot(int n, int version = 1) {
  std::string s = R"({"type":"header","mode":"snapshot","version":)" + std::to_string(version) + "}\n";
  for (int i = 0; i < n; ++i) {
    const std::string id = std::to_string(i);
    s += R"({"type":"premise","id":"P-)" + id + R"(","address":")" + std::to_string(100 + i) +
         R"( N MAPLE ST, SPRINGFIELD IL","lat":)" + std::to_string(39.0 + i * 0.01) + R"(,"lon":-89.0})" "\n";
    s += R"({"type":"flag","id":"F-)" + id + R"(","premise":"P-)" + id +
         R"(","kind":"safety","code":"DOG","note":"note )" + id + R"(","audience":"all"})" "\n";
    s += R"({"type":"history","premise":"P-)" + id + R"(","incident":"I-)" + id +
         R"(","at":"2099-01-01T00:00:00Z","call_type":"CHECK","disposition":"DONE"})" "\n";
  }
  return s;
}

TEST_F(RegistryImport, LargeSnapshotIsAppliedWhole) {
  Cache c = open();
  auto r = c.import_text(complete(big_snapshot(3000)), "big.jsonl");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->premises, 3000);
  EXPECT_EQ(r->flags, 3000);
  EXPECT_EQ(r->history, 3000);
  EXPECT_EQ(r->lines, 9000);
  const MatchResult m = match(c, "2999 N MAPLE ST, SPRINGFIELD IL");
  EXPECT_EQ(flag_ids(m), (std::vector<std::string>{"F-2899"}));
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].note, "note 2899");
  ASSERT_EQ(m.history.size(), 1u);
  EXPECT_EQ(m.history[0].disposition, "DONE");
  // The R*Tree is rebuilt after the load: the last premise is found by coordinates.
  const MatchResult near = match(c, "", 39.0 + 2999 * 0.01, -89.0);
  EXPECT_EQ(near.level, MatchLevel::nearby);
  ASSERT_EQ(near.premises.size(), 1u);
  EXPECT_EQ(near.premises[0].id, "P-2999");
}

TEST_F(RegistryImport, BadLineLateInALargeFileRejectsItAndKeepsTheIndexes) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  std::string text = big_snapshot(3000, 2);
  text += R"({"type":"flag","id":"F-Z","premise":"P-1","kind":"bogus","code":"DOG"})" "\n";
  text += big_snapshot(1, 2).substr(text.find('\n') + 1);
  auto r = c.import_text(text, "late.jsonl", {.legacy = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.bad_field");
  EXPECT_EQ(r.error().message.rfind("late.jsonl:9002: ", 0), 0u) << r.error().message;
  // The snapshot's dropped street index and R*Tree came back with the rollback.
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")),
            (std::vector<std::string>{"F-1", "F-2", "F-3"}));
  EXPECT_EQ(match(c, "", 39.8013, -89.6437).level, MatchLevel::nearby);
  EXPECT_EQ(c.stats()->registry_version, 1);
  EXPECT_EQ(c.stats()->premises, 2);
}

TEST_F(RegistryImport, BadFirstRecordAfterTheHeaderIsNamed) {
  Cache c = open();
  auto r = c.import_text("{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":1}\n\n{\"type\":\"premise\"}\n" +
                             big_snapshot(2000).substr(big_snapshot(0).size()),
                         "first.jsonl", {.legacy = true});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.rfind("first.jsonl:3: ", 0), 0u) << r.error().message;
  EXPECT_EQ(c.stats()->premises, 0);
}

TEST_F(RegistryImport, DanglingHistoryAndSubjectAreNamedByTheirLines) {
  Cache c = open();
  std::string text = big_snapshot(1500);
  text += R"({"type":"history","premise":"P-GONE","incident":"I-9","at":"2099-01-01T00:00:00Z"})" "\n";
  auto r = c.import_text(complete(text), "h.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.dangling_reference");
  EXPECT_EQ(r.error().message.rfind("h.jsonl:4502: history I-9 refers to premise P-GONE", 0), 0u)
      << r.error().message;

  text = big_snapshot(1500);
  text += R"({"type":"flag","id":"F-X","subject":"S-404","premise":"P-1","kind":"care","code":"AUTISM"})" "\n";
  r = c.import_text(complete(text), "s.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.dangling_reference");
  EXPECT_EQ(r.error().message.rfind("s.jsonl:4502: flag F-X refers to subject S-404", 0), 0u) << r.error().message;
  EXPECT_EQ(c.stats()->premises, 0);
}

// A delta's references are checked over the rows it wrote only (the cache's
// held before it): each way a delta can leave one dangling is still found,
// and named as a snapshot's would be, and what it removes takes its own
// rows with it.
TEST_F(RegistryImport, DeltaReferencesAreCheckedOverWhatItWrote) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  struct Case {
    const char* records;
    const char* named;
  } rejected[] = {
      // A new flag on no premise, and one on no subject.
      {R"({"type":"flag","id":"F-7","premise":"P-404","kind":"safety","code":"DOG","audience":"all"})",
       "d.jsonl:2: flag F-7 refers to premise P-404"},
      {R"({"type":"flag","id":"F-7","subject":"S-404","premise":"P-1","kind":"safety","code":"DOG","audience":"all"})",
       "d.jsonl:2: flag F-7 refers to subject S-404"},
      // A flag the cache holds, moved to no premise; one whose subject this delta deletes.
      {R"({"type":"flag","id":"F-2","premise":"P-404","kind":"care","code":"AUTISM","audience":"all"})",
       "d.jsonl:2: flag F-2 refers to premise P-404"},
      {R"({"type":"delete","id":"S-1"}
{"type":"flag","id":"F-8","subject":"S-1","premise":"P-2","kind":"care","code":"AUTISM","audience":"all"})",
       "d.jsonl:3: flag F-8 refers to subject S-1"},
      // History on no premise; on a premise this delta deletes.
      {R"({"type":"history","premise":"P-404","incident":"I-1","at":"2099-01-01T00:00:00Z"})",
       "d.jsonl:2: history I-1 refers to premise P-404"},
      {R"({"type":"delete","id":"P-2"}
{"type":"history","premise":"P-2","incident":"I-2","at":"2099-01-01T00:00:00Z"})",
       "d.jsonl:3: history I-2 refers to premise P-2"},
      // Two dangling: the first premise in key order, then the first id.
      {R"({"type":"flag","id":"F-B","premise":"P-Z","kind":"safety","code":"DOG","audience":"all"}
{"type":"flag","id":"F-C","premise":"P-Y","kind":"safety","code":"DOG","audience":"all"}
{"type":"flag","id":"F-A","premise":"P-Y","kind":"safety","code":"DOG","audience":"all"})",
       "d.jsonl:4: flag F-A refers to premise P-Y"},
  };
  for (const Case& k : rejected) {
    SCOPED_TRACE(k.records);
    auto r = c.import_text(delta(2, std::string(k.records) + "\n"), "d.jsonl");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "registry.dangling_reference");
    EXPECT_EQ(r.error().message.rfind(k.named, 0), 0u) << r.error().message;
  }
  EXPECT_EQ(c.stats()->registry_version, 1);
  // Accepted: a history row written and then deleted with its premise in
  // the same delta, a premise deleted with its flags and history, a flag on
  // a premise that comes later in the file.
  auto ok = c.import_text(delta(2, R"({"type":"history","premise":"P-2","incident":"I-2","at":"2099-01-01T00:00:00Z"}
{"type":"delete","id":"P-2"}
{"type":"delete","id":"P-1"}
{"type":"flag","id":"F-9","premise":"P-9","kind":"safety","code":"DOG","audience":"all"}
{"type":"premise","id":"P-9","address":"5 ELM ST, SPRINGFIELD IL"}
)"),
                          "ok.jsonl");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(c.stats()->flags, 1);
  EXPECT_EQ(c.stats()->history, 0);
}

TEST_F(RegistryImport, ResentFlagMayMoveToAnotherPremise) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  ASSERT_TRUE(c.import_text(R"({"type":"flag","id":"F-1","subject":"S-1","premise":"P-2","kind":"safety","code":"WEAPONS","note":"moved","audience":"all"}
)", "move.jsonl", {.legacy = true}).ok());
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")), (std::vector<std::string>{"F-2", "F-3"}));
  const MatchResult m = match(c, "17 OAK AVE, SPRINGFIELD IL");
  ASSERT_EQ(m.flags.size(), 1u);
  EXPECT_EQ(m.flags[0].id, "F-1");
  EXPECT_EQ(m.flags[0].note, "moved");
  EXPECT_EQ(c.stats()->flags, 3);
}

TEST_F(RegistryImport, SecondSnapshotRebuildsTheSpatialIndex) {
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "a.jsonl").ok());
  // The reader has statements on the R*Tree and the street index prepared
  // when the snapshot drops and recreates them.
  ASSERT_EQ(match(c, "", 39.8013, -89.6437).level, MatchLevel::nearby);
  ASSERT_EQ(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL").level, MatchLevel::exact);
  ASSERT_TRUE(c.import_text(complete(big_snapshot(10, 2)), "b.jsonl").ok());
  EXPECT_EQ(flag_ids(match(c, "105 N MAPLE ST, SPRINGFIELD IL")), (std::vector<std::string>{"F-5"}));
  EXPECT_EQ(match(c, "", 39.8013, -89.6437).level, MatchLevel::none);  // P-1 is gone
  EXPECT_EQ(match(c, "", 39.05, -89.0).premises.at(0).id, "P-5");
}

// Issue 13.16: a disk that fills during an import must still leave a trace
// where fleet IT looks.
TEST_F(RegistryImport, FullDiskRejectionIsRecordedAndTheDataStays) {
  mdtc::test::FaultVfs vfs;
  Cache c = open();
  ASSERT_TRUE(c.import_text(kExample, "v1.jsonl").ok());
  vfs.set_full(true);
  auto r = c.import_text(complete(big_snapshot(3000, 2)), "big.jsonl");
  ASSERT_FALSE(r.ok());
  EXPECT_GT(vfs.refused_writes(), 0);
  EXPECT_NE(r.error().message.find("full"), std::string::npos) << r.error().message;
  const auto s = c.stats();
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->import_rejects, 1);
  EXPECT_EQ(s->last_reject.rfind("big.jsonl: ", 0), 0u) << s->last_reject;
  EXPECT_EQ(s->flags, 3);
  vfs.set_full(false);
  EXPECT_EQ(flag_ids(match(c, "1208 N MAPLE ST APT 3B, SPRINGFIELD IL")),
            (std::vector<std::string>{"F-1", "F-2", "F-3"}));
}

TEST_F(RegistryImport, MissingFileIsAnError) {
  Cache c = open();
  auto r = c.import_file(dir.file("nope.jsonl"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "registry.unreadable");
}

}  // namespace
}  // namespace mdtc::cache::test
