// `mdt-coresponder doctor` against a working setup (a cache, a GPS receiver on
// a pseudo-terminal, a CAD gateway on loopback publishing heartbeats) and a
// broken one, read through its --json output as fleet monitoring reads it.
#include <fcntl.h>
#include <pty.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <zmq.hpp>

#include "child_process.h"
#include "gps_test_support.h"
#include "mdtc/cache.h"
#include "mdtc/registry_line.h"
#include "mdtc/registry_sync.h"
#include "mdtc/state_lock.h"
#include "small_disk.h"
#include "temp_dir.h"

namespace mdtc {
namespace {

using test::TempDir;
using test::write_file;

struct Run {
  int exit_code = -1;
  std::string output;
};

Run run_doctor(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {MDTC_BINARY_DIR "/cli/mdt-coresponder", "doctor"});
  const std::string out = dir.file("doctor-output.txt");
  std::remove(out.c_str());
  test::ChildProcess child(args, out);
  auto status = child.wait_for_exit(std::chrono::seconds(60));
  Run run;
  run.exit_code = status ? *status : child.terminate();
  run.output = test::read_file(out);
  return run;
}

// One check as --json reports it.
struct CheckJson {
  bool ok = false;
  std::string status, code, message, fix, detail;
};

// name -> {ok, message}
std::map<std::string, std::pair<bool, std::string>> checks_of(const std::string& json, bool* all_ok,
                                                              std::map<std::string, CheckJson>* full = nullptr) {
  Poco::JSON::Parser parser;
  auto root = parser.parse(json).extract<Poco::JSON::Object::Ptr>();
  *all_ok = root->getValue<bool>("ok");
  std::map<std::string, std::pair<bool, std::string>> out;
  auto array = root->getArray("checks");
  for (std::size_t i = 0; i < array->size(); ++i) {
    auto item = array->getObject(static_cast<unsigned>(i));
    const std::string name = item->getValue<std::string>("name");
    out[name] = {item->getValue<bool>("ok"), item->getValue<std::string>("message")};
    if (full)
      (*full)[name] = {item->getValue<bool>("ok"), item->getValue<std::string>("status"),
                       item->getValue<std::string>("code"), item->getValue<std::string>("message"),
                       item->getValue<std::string>("fix"), item->getValue<std::string>("detail")};
  }
  return out;
}

const std::string kIdentity = "[unit]\nid = 2A31\nrole = patrol\n";

std::string with_checksum(const std::string& body) {
  unsigned char sum = 0;
  for (char c : body) sum = static_cast<unsigned char>(sum ^ static_cast<unsigned char>(c));
  char tail[8];
  std::snprintf(tail, sizeof tail, "*%02X\r\n", sum);
  return "$" + body + tail;
}

// A receiver with a 3D fix over Springfield whose clock is the system's
// plus `offset_s`.
std::string nmea_epoch(std::time_t offset_s) {
  std::time_t now = std::time(nullptr) + offset_s;
  std::tm tm{};
  gmtime_r(&now, &tm);
  char hms[16], dmy[16];
  std::strftime(hms, sizeof hms, "%H%M%S.00", &tm);
  std::strftime(dmy, sizeof dmy, "%d%m%y", &tm);
  return with_checksum(std::string("GPGGA,") + hms + ",3948.072,N,08938.622,W,1,09,0.9,180.0,M,-33.0,M,,") +
         with_checksum(std::string("GPGSA,A,3,01,02,03,04,05,06,07,08,09,,,,1.5,0.9,1.2")) +
         with_checksum(std::string("GPRMC,") + hms + ",A,3948.072,N,08938.622,W,0.0,0.0," + dmy + ",,,A");
}

// Writes an NMEA epoch every 200 ms to the master side of a pty, as a
// receiver does at 5 Hz, until destroyed; a silent one writes nothing.
class FakeReceiver {
 public:
  explicit FakeReceiver(std::time_t clock_offset_s = 0, bool silent = false) {
    if (::openpty(&master_, &slave_, nullptr, nullptr, nullptr) != 0) throw std::runtime_error("openpty");
    termios tio{};
    ::tcgetattr(slave_, &tio);
    ::cfmakeraw(&tio);
    ::tcsetattr(slave_, TCSANOW, &tio);
    ::fcntl(master_, F_SETFL, ::fcntl(master_, F_GETFL) | O_NONBLOCK);
    path_ = ::ttyname(slave_);
    thread_ = std::thread([this, clock_offset_s, silent] {
      std::unique_lock lock(mutex_);
      while (!stop_) {
        std::string epoch = nmea_epoch(clock_offset_s);
        if (!silent) {
          [[maybe_unused]] auto n = ::write(master_, epoch.data(), epoch.size());
        }
        stopped_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; });
      }
    });
  }
  ~FakeReceiver() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    stopped_.notify_all();
    thread_.join();
    ::close(master_);
    ::close(slave_);
  }
  const std::string& path() const { return path_; }

 private:
  int master_ = -1, slave_ = -1;
  std::string path_;
  std::mutex mutex_;
  std::condition_variable stopped_;
  bool stop_ = false;
  std::thread thread_;
};

// A CAD gateway's PUB socket sending a heartbeat on `all` every 100 ms, and
// a ROUTER that accepts (and ignores) what the unit sends.
class FakeGateway {
 public:
  FakeGateway() : pub_(ctx_, zmq::socket_type::pub), router_(ctx_, zmq::socket_type::router) {
    pub_.bind("tcp://127.0.0.1:*");
    router_.bind("tcp://127.0.0.1:*");
    pub_endpoint_ = pub_.get(zmq::sockopt::last_endpoint);
    router_endpoint_ = router_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] {
      while (!stop_) {
        std::string body = "{\"v\":1,\"type\":\"heartbeat\",\"seq\":0,\"sent_at\":\"" + now() +
                           "\",\"epoch\":\"doctor-test\",\"topics\":{}}";
        pub_.send(zmq::buffer(std::string("all")), zmq::send_flags::sndmore);
        pub_.send(zmq::buffer(body), zmq::send_flags::none);
        zmq::pollitem_t items[] = {{router_.handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, 1, std::chrono::milliseconds(100));
        if (items[0].revents & ZMQ_POLLIN) {
          zmq::message_t part;
          while (router_.recv(part, zmq::recv_flags::dontwait) && part.more()) {
          }
        }
      }
    });
  }
  ~FakeGateway() {
    stop_ = true;
    thread_.join();
    pub_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::linger, 0);
  }
  const std::string& pub_endpoint() const { return pub_endpoint_; }
  const std::string& router_endpoint() const { return router_endpoint_; }

 private:
  static std::string now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }
  zmq::context_t ctx_;
  zmq::socket_t pub_, router_;
  std::string pub_endpoint_, router_endpoint_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void make_cache(const std::string& db) {
  cache::OpenOptions options;
  options.db_path = db;
  auto opened = cache::Cache::open(options);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto imported = opened->import_text(
      *cache::complete_registry_file(
          "{\"type\":\"header\",\"mode\":\"snapshot\",\"version\":1,\"created\":\"2026-11-22T10:00:00Z\"}\n"
          "{\"type\":\"premise\",\"id\":\"P-1\",\"address\":\"1208 N Maple St Apt 3B, Springfield IL\"}\n"
          "{\"type\":\"flag\",\"id\":\"F-2\",\"premise\":\"P-1\",\"kind\":\"care\",\"code\":\"AUTISM\","
          "\"note\":\"Calm with low voice\",\"audience\":\"all\"}\n"),
      "doctor-test");
  ASSERT_TRUE(imported.ok()) << imported.error().message;
}

// A flag registry's ROUTER answering every sync with one fixed reply built
// from the request: what the doctor's probe reads.
class FakeRegistry {
 public:
  explicit FakeRegistry(std::function<bridge::SyncMessage(const bridge::SyncMessage&)> answer)
      : FakeRegistry([answer = std::move(answer)](const bridge::SyncMessage& asked) {
          return bridge::encode_sync_message(answer(asked));
        }) {}
  // Answers with this text, whatever it is.
  explicit FakeRegistry(std::function<std::string(const bridge::SyncMessage&)> raw)
      : router_(ctx_, zmq::socket_type::router), answer_(std::move(raw)) {
    router_.bind("tcp://127.0.0.1:*");
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] {
      while (!stop_) {
        zmq::pollitem_t items[] = {{router_.handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, 1, std::chrono::milliseconds(50));
        if (!(items[0].revents & ZMQ_POLLIN)) continue;
        zmq::message_t who, body;
        if (!router_.recv(who) || !router_.recv(body)) continue;
        auto asked = bridge::decode_sync_message(body.to_string_view());
        if (!asked) continue;
        {
          std::lock_guard lock(mu_);
          asks_.push_back(*asked);
        }
        const std::string reply = answer_(*asked);
        router_.send(who, zmq::send_flags::sndmore);
        router_.send(zmq::buffer(reply));
      }
    });
  }
  ~FakeRegistry() {
    stop_ = true;
    thread_.join();
  }
  const std::string& endpoint() const { return endpoint_; }
  std::vector<bridge::SyncMessage> asks() {
    std::lock_guard lock(mu_);
    return asks_;
  }

 private:
  zmq::context_t ctx_;
  zmq::socket_t router_;
  std::function<std::string(const bridge::SyncMessage&)> answer_;
  std::string endpoint_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<bridge::SyncMessage> asks_;
  std::thread thread_;
};

// A registry's answer to every sync: an offer of one file.
std::function<bridge::SyncMessage(const bridge::SyncMessage&)> offering(
    int64_t version, const std::string& mode, uint64_t total = 1000,
    const std::string& encoding = bridge::kIdentityEncoding) {
  return [=](const bridge::SyncMessage& asked) {
    bridge::SyncMessage offer;
    offer.type = "offer";
    offer.req = asked.req;
    offer.version = version;
    offer.mode = mode;
    offer.sha256 = std::string(64, 'a');
    offer.total = total;
    offer.encoding = encoding;
    if (encoding != bridge::kIdentityEncoding) offer.wire_sha256 = std::string(64, 'b');
    return offer;
  };
}

// A registry's answer to every sync: up to date at `version`.
std::function<bridge::SyncMessage(const bridge::SyncMessage&)> up_to_date_at(int64_t version) {
  return [=](const bridge::SyncMessage& asked) {
    bridge::SyncMessage answer;
    answer.type = "up_to_date";
    answer.req = asked.req;
    answer.version = version;
    return answer;
  };
}

// Runs doctor on a car whose registry is `registry` and cache `db`: every
// check's outcome by name, and whether every check passed.
std::map<std::string, CheckJson> doctor_checks(TempDir& dir, const std::string& db, FakeRegistry& registry,
                                               bool* all_ok) {
  write_file(dir.file("fleet.ini"), "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + db +
                                        "\n[registry]\nendpoint = " + registry.endpoint() + "\n");
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "2"});
  std::map<std::string, CheckJson> full;
  checks_of(run.output, all_ok, &full);
  EXPECT_EQ(full.count("registry"), 1u) << run.output;
  return full;
}

CheckJson registry_check(TempDir& dir, const std::string& db, FakeRegistry& registry, bool* all_ok) {
  return doctor_checks(dir, db, registry, all_ok)["registry"];
}

TEST(Doctor, WorkingSetupPassesEveryCheck) {
  TempDir dir;
  FakeReceiver receiver;
  FakeGateway gateway;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  write_file(dir.file("fleet.ini"), "[cad]\nsubscribe_endpoint = " + gateway.pub_endpoint() +
                                        "\ndealer_endpoint = " + gateway.router_endpoint() +
                                        "\n[cache]\ndb = " + dir.file("cache.db") + "\n");
  // The identity is in the unit's own file, where it belongs.
  write_file(dir.file("roster.txt"), "CR7 | Daily | 00:00-24:00 | CR-7 (Clinician)\n");
  write_file(dir.file("unit.ini"), "[unit]\nid = 2A31\nrole = patrol\n[gps]\nport = " + receiver.path() +
                                       "\nbaud = 4800\n[coresponder]\nschedule_file = " + dir.file("roster.txt") + "\n");

  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--config", dir.file("unit.ini"), "--json",
                              "--timeout-s", "20"});
  bool all_ok = false;
  auto checks = checks_of(run.output, &all_ok);
  for (const auto& [name, result] : checks) EXPECT_TRUE(result.first) << name << ": " << result.second;
  EXPECT_TRUE(all_ok) << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  for (const char* name :
       {"config", "cad key", "cache", "cache key", "cache age", "storage", "sharing", "schedule", "gps", "clock",
        "cad link", "registry", "panel"}) {
    EXPECT_EQ(checks.count(name), 1u) << name << " missing in " << run.output;
  }
  EXPECT_NE(checks["gps"].second.find("speaking NMEA, 3D fix"), std::string::npos) << checks["gps"].second;
  EXPECT_NE(checks["schedule"].second.find("1 shift in " + dir.file("roster.txt") + "; on duty now: CR7 (CR-7 (Clinician))"),
            std::string::npos)
      << checks["schedule"].second;
  EXPECT_NE(checks["clock"].second.find("agrees with GPS time"), std::string::npos) << checks["clock"].second;
  EXPECT_NE(checks["cad link"].second.find("heartbeats arriving"), std::string::npos) << checks["cad link"].second;
  // A state directory of the test's own is not the package's shared one
  // (or, on a machine without the package, there is no group to share with).
  EXPECT_TRUE(checks["sharing"].second.find("one account's own") != std::string::npos) << checks["sharing"].second;
  // The panel host is only ever a warning: on this bench it is not installed
  // or not running, and a vendor-hosted car has none.
  EXPECT_TRUE(checks["panel"].second.find("panel host") != std::string::npos ||
              checks["panel"].second.find("chromium") != std::string::npos)
      << checks["panel"].second;
}

TEST(Doctor, RegistryThatOffersANewerFileIsReportedWithoutFetchingIt) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  FakeRegistry registry(offering(3, "delta"));
  bool all_ok = false;
  const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_NE(r.message.find("offers delta version 3; the cache holds version 1"), std::string::npos) << r.message;
  // One question, asked as the unit, from the version the cache holds; no fetch.
  const auto asks = registry.asks();
  ASSERT_EQ(asks.size(), 1u);
  EXPECT_EQ(asks[0].type, "sync");
  EXPECT_EQ(asks[0].unit, "2A31");
  ASSERT_TRUE(asks[0].have.has_value());
  EXPECT_EQ(*asks[0].have, 1);
}

// A registry restored from an older backup: "up to date" at version 0
// while the cache holds 1 is no confirmation, and doctor says so.
TEST(Doctor, ARegistryUpToDateBehindTheCacheIsAProblem) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  FakeRegistry registry(up_to_date_at(0));
  bool all_ok = true;
  const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
  EXPECT_FALSE(r.ok) << r.message;
  EXPECT_EQ(r.code, "registry.behind");
  EXPECT_NE(r.message.find("up to date at version 0, but the cache holds version 1"), std::string::npos) << r.message;
}

// Each error the protocol names gets its own remedy: an empty registry is
// no unit to register. Only an error it does not name reads as a refusal.
TEST(Doctor, RegistryErrorsAreToldApartFromARefusal) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"empty", "registry.no_file"}, {"no_snapshot", "registry.no_file"}, {"no_path", "registry.no_file"},
      {"bad_request", "registry.bad_request"}, {"not_registered", "registry.error"}, {"internal", "registry.error"}};
  for (const auto& [sent, code] : cases) {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
    FakeRegistry registry([sent = sent](const bridge::SyncMessage& asked) {
      bridge::SyncMessage answer;
      answer.type = "error";
      answer.req = asked.req;
      answer.code = sent;
      answer.message = "fictional reason";
      return answer;
    });
    bool all_ok = true;
    const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
    EXPECT_FALSE(r.ok) << sent;
    EXPECT_EQ(r.code, code) << sent << ": " << r.message;
    EXPECT_NE(r.message.find(sent + ": fictional reason"), std::string::npos) << r.message;
    // Found from outside: a code the protocol does not name read as the
    // registry refusing the unit, with "register the unit" as the fix.
    EXPECT_EQ(r.fix.find("register the unit"), std::string::npos) << sent << ": " << r.fix;
  }
}

// Found from outside: "up to date" at a version past the cache's was
// registry.behind, fixed by "publish past the cache's version"; an answer
// that could not be read was registry.unreachable, fixed by checking the
// VPN; "up to date" to a cache with no snapshot was registry.behind too.
TEST(Doctor, RegistryCodesAndFixesSayWhatHappened) {
  {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
    FakeRegistry registry(up_to_date_at(7));
    bool all_ok = true;
    const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
    EXPECT_EQ(r.code, "registry.ahead") << r.message;
    EXPECT_NE(r.message.find("up to date at version 7, but the cache holds version 1"), std::string::npos) << r.message;
    EXPECT_EQ(r.fix.find("publish past"), std::string::npos) << r.fix;
  }
  {
    TempDir dir;
    FakeRegistry registry(up_to_date_at(7));
    bool all_ok = true;
    const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
    EXPECT_EQ(r.code, "registry.no_file") << r.message;
    EXPECT_NE(r.message.find("asked for a snapshot, it offers none"), std::string::npos) << r.message;
  }
  {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
    FakeRegistry registry([](const bridge::SyncMessage& asked) -> std::string {
      return R"({"v":1,"type":"banana","req":")" + asked.req + R"("})";
    });
    bool all_ok = true;
    const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
    EXPECT_EQ(r.code, "registry.bad_reply") << r.message;
    EXPECT_NE(r.message.find("(a registry fault, not the network)"), std::string::npos) << r.message;
    EXPECT_EQ(r.fix.find("VPN"), std::string::npos) << r.fix;
  }
}

// Found from outside: doctor said "the plugin fetches it at its next sync"
// of offers every sync fails on.
TEST(Doctor, AnOfferThePluginCannotTakeFailsTheRegistryCheck) {
  {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
    FakeRegistry registry(offering(3, "delta", 1000, "br"));
    bool all_ok = true;
    const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
    EXPECT_EQ(r.status, "fail") << r.message;
    EXPECT_EQ(r.code, "registry.bad_encoding");
    EXPECT_NE(r.message.find("in encoding \"br\", which this unit did not ask for (it takes zstd, identity)"),
              std::string::npos)
        << r.message;
  }
  {
    TempDir dir;
    ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
    FakeRegistry registry(offering(0, "snapshot"));
    bool all_ok = true;
    const CheckJson r = registry_check(dir, dir.file("cache.db"), registry, &all_ok);
    EXPECT_EQ(r.status, "fail") << r.message;
    EXPECT_EQ(r.code, "registry.offers_old");
    EXPECT_NE(r.message.find("offers snapshot version 0; the cache holds version 1; asked for what follows version 1"),
              std::string::npos)
        << r.message;
  }
}

// Found from outside: with the registry offering the very delta the cache
// had refused, doctor passed the registry check, and nothing said a file
// had been refused at all (only cache stats' last_reject did).
TEST(Doctor, TheFileTheCacheRefusedIsNamedByTheCacheAndTheRegistryChecks) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  {
    cache::OpenOptions options;
    options.db_path = dir.file("cache.db");
    auto opened = cache::Cache::open(options);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    const std::string bad =
        "{\"type\":\"header\",\"mode\":\"delta\",\"version\":2,\"created\":\"2026-11-22T07:00:00Z\"}\n"
        "{\"type\":\"flag\",\"id\":\"F-9\",\"premise\":\"P-1\",\"kind\":\"care\",\"code\":\"AUTISM\","
        "\"audience\":\"all\",\"expires\":\"2026-02-30\"}\n";
    auto refused = opened->import_text(bad + cache::registry_trailer(bad, {0, 0, 1, 0, 0}) + "\n",
                                       "registry delta version 2");
    ASSERT_FALSE(refused.ok());
  }
  FakeRegistry registry(offering(2, "delta"));
  bool all_ok = false;
  auto full = doctor_checks(dir, dir.file("cache.db"), registry, &all_ok);
  const CheckJson& imports = full["imports"];
  EXPECT_EQ(imports.status, "warn") << imports.message;
  EXPECT_EQ(imports.code, "cache.import_refused");
  EXPECT_EQ(imports.message, "the cache refused registry delta version 2 and still holds version 1 (1 file refused in all)");
  EXPECT_NE(imports.detail.find("\"2026-02-30\": expected a date"), std::string::npos) << imports.detail;
  const CheckJson& r = full["registry"];
  EXPECT_EQ(r.status, "warn") << r.message;
  EXPECT_EQ(r.code, "registry.file_refused");
  EXPECT_NE(r.message.find("offers delta version 2; the cache holds version 1; the cache refused delta version 2 before"),
            std::string::npos)
      << r.message;
  EXPECT_EQ(r.message.find("fetches it at its next sync"), std::string::npos) << r.message;
  EXPECT_NE(r.detail.find("expected a date"), std::string::npos) << r.detail;
}

TEST(Doctor, AnOfferTheCachesDiskCannotHoldIsNotSaidToBeFetched) {
  TempDir dir;
  test::SmallDisk disk(8 << 10);
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  ASSERT_NO_FATAL_FAILURE(make_cache(disk.file("cache.db")));
  // 4 MiB: it and its import fit in 8 MiB, not with the 64 MiB reserve.
  FakeRegistry registry(offering(3, "snapshot", 4 << 20));
  bool all_ok = true;
  const CheckJson r = registry_check(dir, disk.file("cache.db"), registry, &all_ok);
  EXPECT_FALSE(r.ok) << r.message;
  EXPECT_EQ(r.code, "registry.no_space");
  EXPECT_EQ(r.message.find("fetches it at its next sync"), std::string::npos) << r.message;
  for (const char* words : {"offers snapshot version 3; the cache holds version 1", "its 4.0 MiB do not fit on the cache's disk",
                            "keeps 64.0 MiB free for the outbox and the incident journal", "The plugin cannot fetch it"})
    EXPECT_NE(r.message.find(words), std::string::npos) << words << " in: " << r.message;
  EXPECT_NE(r.fix.find("the file system that holds " + disk.path()), std::string::npos) << r.fix;
  EXPECT_FALSE(all_ok);
}

TEST(Doctor, AFullDiskNamesTheStagingFilesOfAnUnfinishedTransfer) {
  TempDir dir;
  test::SmallDisk disk;
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  const std::string db = disk.file("unit.db");
  // What an interrupted transfer leaves beside the cache.
  write_file(db + ".sync.part", std::string(512 << 10, 'x'));
  write_file(db + ".sync.json", "{}\n");
  write_file(db + ".sync.key", std::string(32, 'k'));
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + db + "\n");
  disk.fill();
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  const auto& storage = full["storage"];
  EXPECT_EQ(storage.code, "storage.full") << storage.message;
  EXPECT_NE(storage.message.find("an unfinished registry transfer holds 0.5 MiB there (" + db + ".sync.part, " + db +
                                 ".sync.json, " + db + ".sync.key)"),
            std::string::npos)
      << storage.message;
  EXPECT_NE(storage.fix.find("rm " + db + ".sync.part " + db + ".sync.json " + db + ".sync.key"), std::string::npos)
      << storage.fix;
}

TEST(Doctor, SilentRegistryFailsTheRegistryCheck) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  const std::string silent = "tcp://127.0.0.1:" + std::to_string(test::free_tcp_port());
  write_file(dir.file("fleet.ini"), "[unit]\nid = 2A31\nrole = patrol\n[cache]\ndb = " + dir.file("cache.db") +
                                        "\n[registry]\nendpoint = " + silent + "\n");
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  bool all_ok = true;
  auto checks = checks_of(run.output, &all_ok);
  EXPECT_FALSE(checks["registry"].first);
  EXPECT_NE(checks["registry"].second.find("no answer from the flag registry at " + silent + " within 1 second"),
            std::string::npos)
      << checks["registry"].second;
  // Found from outside: the sync's own words, "before this run's time
  // limit", meant nothing in doctor.
  EXPECT_EQ(checks["registry"].second.find("this run's time limit"), std::string::npos) << checks["registry"].second;
}

TEST(Doctor, BrokenSetupNamesEachProblemInPlainWords) {
  TempDir dir;
  const int silent_port = test::free_tcp_port();
  write_file(dir.file("client.key"), "public=Example.Springfield.Unit.Key.NotReal.000\n"
                                     "secret=Example.Springfield.Unit.Key.NotReal.001\n");
  ::chmod(dir.file("client.key").c_str(), 0644);
  write_file(dir.file("fleet.ini"),
             "[cad]\nsubscribe_endpoint = tcp://127.0.0.1:" + std::to_string(silent_port) +
                 "\ndealer_endpoint = tcp://127.0.0.1:" + std::to_string(test::free_tcp_port()) +
                 "\nserver_public_key = Example.Springfield.Gateway.Key.NotReal0\nclient_key_file = " +
                 dir.file("client.key") + "\n[cache]\ndb = " + dir.file("none.db") +
                 "\n[gps]\nport = " + dir.file("ttyGONE") + "\n" + kIdentity);

  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  auto checks = checks_of(run.output, &all_ok, &full);
  EXPECT_FALSE(all_ok);
  // One rule everywhere: the config check refuses the exposed key as
  // `config check` and the plugin do, and the key check says how to fix it.
  EXPECT_FALSE(checks["config"].first) << checks["config"].second;
  EXPECT_EQ(full["config"].code, "config.invalid");
  EXPECT_NE(full["config"].detail.find("has mode 0644: group or others can read the secret"), std::string::npos)
      << full["config"].detail;
  EXPECT_FALSE(checks["cad key"].first);
  EXPECT_NE(checks["cad key"].second.find("has mode 0644: group or others can read the secret: expected 0600"),
            std::string::npos)
      << checks["cad key"].second;
  EXPECT_EQ(full["cad key"].code, "cad.key_exposed");
  EXPECT_EQ(full["cad key"].fix, "chmod 600 " + dir.file("client.key"));
  EXPECT_EQ(full["cache"].code, "cache.missing");
  // No cache, so no key yet: not a lost key (monitoring pages on that code).
  EXPECT_NE(full["cache key"].code, "cache.key_missing");
  EXPECT_EQ(full["cache key"].status, "not_checked") << full["cache key"].message;
  EXPECT_EQ(full["gps"].code, "gps.port_missing");
  EXPECT_EQ(full["cad link"].code, "cad.unreachable");
  for (const auto& [name, check] : full) {
    EXPECT_EQ(check.message.find('\n'), std::string::npos) << name << ": the message is one line";
    EXPECT_EQ(check.ok, check.status == "ok" || check.status == "warn") << name;
    if (!check.ok) {
      EXPECT_FALSE(check.code.empty()) << name;
      EXPECT_FALSE(check.fix.empty()) << name;
    }
  }
  EXPECT_FALSE(checks["cache"].first);
  EXPECT_NE(checks["cache"].second.find("no cache at " + dir.file("none.db")), std::string::npos)
      << checks["cache"].second;
  EXPECT_FALSE(checks["gps"].first);
  EXPECT_NE(checks["gps"].second.find(dir.file("ttyGONE") + " is not present"), std::string::npos)
      << checks["gps"].second;
  EXPECT_FALSE(checks["cad link"].first);
  EXPECT_NE(checks["cad link"].second.find("no message from the CAD gateway at tcp://127.0.0.1:" +
                                           std::to_string(silent_port)),
            std::string::npos)
      << checks["cad link"].second;
}

TEST(Doctor, StorageCheckSaysFullOrReadOnlyInTheRightWords) {
  TempDir dir;
  test::SmallDisk disk;
  if (!disk.available()) GTEST_SKIP() << "cannot mount a tmpfs here";
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + disk.file("unit.db") + "\n");
  auto check = [&] {
    auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
    bool all_ok = true;
    return checks_of(run.output, &all_ok)["storage"];
  };
  auto writable = check();
  EXPECT_TRUE(writable.first) << writable.second;
  EXPECT_NE(writable.second.find(disk.path() + " is writable but low (2.0 MiB free)"), std::string::npos)
      << writable.second;
  disk.fill();
  auto full = check();
  EXPECT_FALSE(full.first);
  EXPECT_NE(full.second.find(disk.path() + " is full"), std::string::npos) << full.second;
  disk.free_space();
  disk.read_only(true);
  auto read_only = check();
  EXPECT_FALSE(read_only.first);
  EXPECT_NE(read_only.second.find(disk.path() + " is read-only"), std::string::npos) << read_only.second;
}

TEST(Doctor, InvalidConfigFailsTheConfigCheckAndTheRunInPlainText) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[gps]\nbaud = 9601\n[cache]\ndb = " + dir.file("none.db") + "\n" + kIdentity);
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--timeout-s", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("  FAIL  config    1 problem; the plugin refuses to start:\n"
                            "                  config " + dir.file("fleet.ini") + ":2: gps.baud = 9601"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("                  fix: correct each problem listed, then: mdt-coresponder config check " +
                            dir.file("fleet.ini") + " [config.invalid]\n"),
            std::string::npos)
      << run.output;
  // GPS settings failed: the GPS check does not run on what was left of them.
  EXPECT_NE(run.output.find("  --    gps       not checked: config failed\n"), std::string::npos) << run.output;
}

TEST(Doctor, ChecksThatDependOnAFailedPartSayNotCheckedTheRestRun) {
  TempDir dir;
  write_file(dir.file("roster.txt"), "CR7 | Someday | 08:00-20:00\n");
  write_file(dir.file("fleet.ini"), "[coresponder]\nschedule_file = " + dir.file("roster.txt") + "\n[cache]\ndb = " +
                                        dir.file("none.db") + "\n" + kIdentity);
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  EXPECT_EQ(full["config"].status, "fail");
  // Before, the schedule said "ok" right after the config check had failed to parse it.
  EXPECT_EQ(full["schedule"].status, "not_checked") << run.output;
  EXPECT_EQ(full["schedule"].message, "not checked: config failed");
  EXPECT_EQ(full["schedule"].code, "doctor.not_checked");
  EXPECT_FALSE(full["schedule"].ok);
  EXPECT_EQ(full["cache"].status, "fail") << "the cache settings were fine: the cache is still checked";
  EXPECT_EQ(full["cache"].code, "cache.missing");
}

TEST(Doctor, AFileThatCannotBeReadLeavesEveryOtherCheckNotChecked) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), kIdentity);
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--config", dir.file("unit.ini"), "--json",
                              "--timeout-s", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  for (const auto& [name, check] : full) {
    if (name == "config") continue;
    EXPECT_EQ(check.status, "not_checked") << name << ": " << check.message;
  }
  EXPECT_GE(full.size(), 9u) << run.output;
}

TEST(Doctor, MissingUnitIdentityFailsTheConfigCheck) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("none.db") + "\n");
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  EXPECT_EQ(run.exit_code, 1) << run.output;
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  EXPECT_EQ(full["config"].code, "config.invalid");
  EXPECT_NE(full["config"].detail.find("config " + dir.file("fleet.ini") + ": unit.id is not set"), std::string::npos)
      << full["config"].detail;
  EXPECT_EQ(full["cad link"].status, "not_checked") << "the link would introduce itself with no identity";
}

// The tester's case: SPFLD = SPRINGFEILD (misspelled) was taken silently and
// every CAD address written SPFLD found no flags. Doctor names the alias, the
// place and the known place spelled like it; an alias to a place merely
// absent from the cache is a warning.
TEST(Doctor, PlaceAliasToAPlaceNoPremiseIsInIsNamed) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  const auto run_with = [&](const std::string& aliases) {
    write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("cache.db") + "\nplace_aliases = " + aliases +
                                          "\n" + kIdentity);
    auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
    bool all_ok = true;
    std::map<std::string, CheckJson> full;
    checks_of(run.output, &all_ok, &full);
    EXPECT_EQ(full.count("aliases"), 1u) << run.output;
    return full["aliases"];
  };
  const CheckJson misspelled = run_with("SPFLD = SPRINGFEILD, SPR = Springfield");
  EXPECT_EQ(misspelled.status, "fail");
  EXPECT_EQ(misspelled.code, "cache.alias_unknown_place");
  EXPECT_NE(misspelled.message.find("1 alias of 2 in cache.place_aliases names a place no premise is in"),
            std::string::npos)
      << misspelled.message;
  EXPECT_NE(misspelled.detail.find("SPFLD = SPRINGFEILD: no premise in the cache is in SPRINGFEILD, so every CAD "
                                   "address written with SPFLD finds nothing; did you mean SPRINGFIELD?"),
            std::string::npos)
      << misspelled.detail;
  const CheckJson absent = run_with("SHLB = SHELBYVILLE");
  EXPECT_EQ(absent.status, "warn");
  EXPECT_EQ(absent.code, "cache.alias_unknown_place");
  EXPECT_NE(absent.detail.find("write the place as the registry spells it"), std::string::npos) << absent.detail;
  EXPECT_EQ(run_with("SPFLD = SPRINGFIELD").status, "ok");
}

TEST(Doctor, InlineCommentIsAWarningThatDoesNotFailTheRun) {
  TempDir dir;
  write_file(dir.file("fleet.ini"), kIdentity + "[coresponder]\nfallback = Call 555-0142 # ext 3\n");
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  EXPECT_TRUE(full["config"].ok);
  EXPECT_EQ(full["config"].status, "warn");
  EXPECT_EQ(full["config"].code, "config.warning");
  EXPECT_NE(full["config"].detail.find(dir.file("fleet.ini") + ":5: coresponder.fallback"), std::string::npos)
      << full["config"].detail;
}

std::string config_without_cad(const TempDir& dir, const std::string& gps_port) {
  // No gateway listens on these ports; the tests below look at other checks.
  return "[cad]\nsubscribe_endpoint = tcp://127.0.0.1:" + std::to_string(test::free_tcp_port()) +
         "\ndealer_endpoint = tcp://127.0.0.1:" + std::to_string(test::free_tcp_port()) + "\n[cache]\ndb = " +
         dir.file("none.db") + "\n[gps]\nport = " + gps_port + "\nbaud = 4800\n" + kIdentity;
}

TEST(Doctor, SystemClockFarFromGpsTimeFailsTheClockCheck) {
  TempDir dir;
  FakeReceiver receiver(-3600);  // GPS says an hour earlier than the system
  write_file(dir.file("fleet.ini"), config_without_cad(dir, receiver.path()));
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "3"});
  bool all_ok = true;
  auto checks = checks_of(run.output, &all_ok);
  EXPECT_TRUE(checks["gps"].first) << checks["gps"].second;
  EXPECT_FALSE(checks["clock"].first);
  EXPECT_NE(checks["clock"].second.find("system clock is 3600 seconds ahead of GPS time"), std::string::npos)
      << checks["clock"].second;
}

TEST(Doctor, SilentSerialPortFailsTheGpsCheck) {
  TempDir dir;
  FakeReceiver receiver(0, /*silent=*/true);
  write_file(dir.file("fleet.ini"), config_without_cad(dir, receiver.path()));
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  auto checks = checks_of(run.output, &all_ok);
  EXPECT_FALSE(checks["gps"].first);
  EXPECT_NE(checks["gps"].second.find("no NMEA from " + receiver.path() + " within 1 second"), std::string::npos)
      << checks["gps"].second;
  EXPECT_TRUE(checks["clock"].first) << checks["clock"].second;  // nothing to compare with
}

// Found from outside: doctor opened the serial port the running plugin
// reads, so each got part of the sentences and doctor said "no NMEA" of a
// working receiver. With a plugin's lock in the cache's directory, doctor
// leaves the port to it and says why.
TEST(Doctor, ASerialPortTheRunningPluginReadsIsNotOpenedAndSaysWhy) {
  TempDir dir;
  FakeReceiver receiver;
  write_file(dir.file("fleet.ini"), config_without_cad(dir, receiver.path()));
  auto lock = StateLock::acquire(dir.path(), "2A31", "plugin 2A31");
  ASSERT_TRUE(lock.ok()) << lock.error().message;
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  EXPECT_EQ(full["gps"].status, "warn") << run.output;
  EXPECT_EQ(full["gps"].code, "gps.in_use");
  EXPECT_NE(full["gps"].message.find(receiver.path() + " not opened: the running plugin"), std::string::npos)
      << full["gps"].message;
}

TEST(Doctor, RouterOverTcpPassesTheGpsCheckNamingSourceAndProtocol) {
  TempDir dir;
  mdtc::gps::test::StubGps router({"--tcp", "0", "--taip", "--rate-hz", "5"});
  // Without a CAD gateway doctor waits out its timeout for the link.
  write_file(dir.file("fleet.ini"), config_without_cad(dir, router.port()));
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "5"});
  bool all_ok = false;
  auto checks = checks_of(run.output, &all_ok);
  EXPECT_TRUE(checks["gps"].first) << checks["gps"].second;
  const std::string port = router.port().substr(router.port().rfind(':') + 1);
  EXPECT_NE(checks["gps"].second.find("tcp 127.0.0.1:" + port + ": speaking TAIP, 3D fix"), std::string::npos)
      << checks["gps"].second;
}

TEST(Doctor, KeyFileOwnedBySomeoneElseFails) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a file to another user";
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  ASSERT_EQ(::chown(dir.file("cache.db.key").c_str(), 65534, 65534), 0);
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("cache.db") + "\n" + kIdentity);
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  auto checks = checks_of(run.output, &all_ok, &full);
  EXPECT_FALSE(checks["cache key"].first);
  EXPECT_NE(checks["cache key"].second.find("expected mdt-coresponder or root"), std::string::npos)
      << checks["cache key"].second;
  EXPECT_EQ(full["cache key"].code, "cache.key_owner");
  EXPECT_EQ(full["cache key"].fix, "chown mdt-coresponder " + dir.file("cache.db.key"));
}

// Each kind of damage has its own code and a message that says what the MDT
// does about it, with the cache's own words in the detail.
std::map<std::string, CheckJson> doctor_on_damaged_cache(TempDir& dir, const std::string& file,
                                                         const std::string& statement) {
  make_cache(dir.file("cache.db"));
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  const int rc = sqlite3_exec(db, statement.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("cache.db") + "\n" + kIdentity);
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  EXPECT_EQ(full["cache"].status, "fail") << run.output;
  return full;
}

TEST(Doctor, DamagedCacheHasOneLineMessageCodeAndTheCachesOwnTextInDetail) {
  TempDir dir;
  // An index redefined behind SQLite's back no longer holds its table's
  // rows: what integrity_check reports.
  auto full = doctor_on_damaged_cache(dir, dir.file("cache.db"),
                                      "PRAGMA writable_schema=ON;"
                                      "UPDATE sqlite_master SET sql = 'CREATE INDEX flags_subject ON premise_rows(code)'"
                                      " WHERE name = 'flags_subject';");
  EXPECT_EQ(full["cache"].code, "cache.integrity");
  EXPECT_EQ(full["cache"].message, dir.file("cache.db") + " failed its integrity check: the MDT shows \"flags unavailable\"");
  EXPECT_NE(full["cache"].detail.find("flags_subject"), std::string::npos) << full["cache"].detail;
  EXPECT_NE(full["cache"].fix.find("snapshot"), std::string::npos) << full["cache"].fix;
}

TEST(Doctor, ABrokenAuditChainSaysFlagsStillShowAndToKeepTheFile) {
  TempDir dir;
  // Cut the audit chain's recorded head: the cache's verify refuses it.
  auto full = doctor_on_damaged_cache(dir, dir.file("cache.db.audit"),
                                      "INSERT OR REPLACE INTO chain(key, value) VALUES('head', '7:0000');");
  EXPECT_EQ(full["cache"].code, "cache.audit_broken");
  EXPECT_EQ(full["cache"].message, "the audit chain of " + dir.file("cache.db") + " cannot be trusted: flags still show");
  EXPECT_NE(full["cache"].detail.find("audit chain"), std::string::npos) << full["cache"].detail;
  EXPECT_NE(full["cache"].fix.find("keep " + dir.file("cache.db.audit")), std::string::npos) << full["cache"].fix;
  EXPECT_NE(full["cache"].fix.find("stop the MDT host"), std::string::npos) << full["cache"].fix;
  EXPECT_NE(full["cache"].fix.find("with its -wal and -shm"), std::string::npos) << full["cache"].fix;
}

TEST(Doctor, CountsThatDisagreeWithTheRowsNameASnapshotAsTheFix) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("cache.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "UPDATE row_counts SET n = n + 40 WHERE tbl = 'flags'", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("cache.db") + "\n" + kIdentity);
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  EXPECT_EQ(full["cache"].status, "fail") << run.output;
  EXPECT_EQ(full["cache"].code, "cache.integrity");
  EXPECT_EQ(full["cache"].message, dir.file("cache.db") + " reports counts its rows do not have");
  EXPECT_NE(full["cache"].detail.find("kept count of flags"), std::string::npos) << full["cache"].detail;
  EXPECT_NE(full["cache"].fix.find("counts again"), std::string::npos) << full["cache"].fix;
}

// After an upgrade that changed the address rules, a cache read under the
// older ones misses some spellings until its next snapshot, and no panel can
// say so: doctor warns, with the snapshot as the fix.
TEST(Doctor, PremisesReadUnderOlderAddressRulesAreAWarningUntilTheNextSnapshot) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("cache.db") + "\n" + kIdentity);
  const auto doctor = [&] {
    auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
    bool all_ok = true;
    std::map<std::string, CheckJson> full;
    checks_of(run.output, &all_ok, &full);
    return full["addresses"];
  };
  const CheckJson current = doctor();
  EXPECT_EQ(current.status, "ok");
  EXPECT_EQ(current.message,
            "premises read under this build's address rules (version " + std::to_string(cache::kAddressRulesVersion) + ")");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir.file("cache.db").c_str(), &db), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db, "UPDATE meta SET value = '9' WHERE key = 'address_rules'", nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
  }
  const CheckJson old = doctor();
  EXPECT_EQ(old.status, "warn");
  EXPECT_EQ(old.code, "cache.address_rules_old");
  EXPECT_EQ(old.message, "premises read under address rules 9, older than this build's " +
                             std::to_string(cache::kAddressRulesVersion) +
                             ": until a snapshot re-reads them, an address written the ways the rules changed may "
                             "find nothing");
  // No registry configured: the car's own import, with its path and the version it needs.
  EXPECT_EQ(old.fix, "import the registry's newest snapshot export (version 1 or later): mdt-coresponder cache "
                     "import FILE --db " + dir.file("cache.db"));
}

// Found from outside: a cache key overwritten on a live car (a rotation
// done without the steps) was reported as cache.unreadable, whose fix is
// the file's group and mode.
TEST(Doctor, AKeyThatDoesNotDecryptTheCacheIsNamedSo) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  std::filesystem::remove(dir.file("cache.db.key"));
  {
    cache::OpenOptions other;  // makes a new key beside a cache of its own
    other.db_path = dir.file("other.db");
    ASSERT_TRUE(cache::Cache::open(other).ok());
  }
  std::filesystem::rename(dir.file("other.db.key"), dir.file("cache.db.key"));
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("cache.db") + "\n" + kIdentity);
  auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
  bool all_ok = true;
  std::map<std::string, CheckJson> full;
  checks_of(run.output, &all_ok, &full);
  EXPECT_EQ(full["cache"].code, "cache.key_mismatch") << full["cache"].message;
  EXPECT_NE(full["cache"].fix.find("the key this cache was made with"), std::string::npos) << full["cache"].fix;
  EXPECT_FALSE(all_ok);
}

// Found from outside: with the system clock 200 days behind, doctor said
// "ok  cache age  last sync -17279990 seconds ago".
TEST(Doctor, ALastSyncFarAheadOfTheSystemClockFailsTheCacheAge) {
  TempDir dir;
  ASSERT_NO_FATAL_FAILURE(make_cache(dir.file("cache.db")));
  write_file(dir.file("fleet.ini"), "[cache]\ndb = " + dir.file("cache.db") + "\n" + kIdentity);
  const auto cache_age = [&](int64_t ahead_s) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(dir.file("cache.db").c_str(), &db), SQLITE_OK);
    const std::string sql = "UPDATE meta SET value = '" + std::to_string(std::time(nullptr) + ahead_s) +
                            "' WHERE key = 'last_sync'";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_changes(db), 1);
    sqlite3_close(db);
    auto run = run_doctor(dir, {"--config", dir.file("fleet.ini"), "--json", "--timeout-s", "1"});
    bool all_ok = true;
    std::map<std::string, CheckJson> full;
    checks_of(run.output, &all_ok, &full);
    return full["cache age"];
  };
  const CheckJson behind = cache_age(200 * 86400);
  EXPECT_EQ(behind.status, "fail") << behind.message;
  EXPECT_EQ(behind.code, "clock.behind_last_sync");
  EXPECT_NE(behind.message.find("hours ahead of the system clock"), std::string::npos) << behind.message;
  EXPECT_EQ(behind.message.find(" -"), std::string::npos) << "no negative age: " << behind.message;
  EXPECT_EQ(behind.fix, "set the clock (NTP); the cache's age cannot be told until then");
  // A few seconds' difference between machines is a sync just now.
  const CheckJson skew = cache_age(30);
  EXPECT_EQ(skew.status, "ok") << skew.message;
  EXPECT_NE(skew.message.find("last sync 0 seconds ago"), std::string::npos) << skew.message;
}

TEST(Doctor, HelpListsEveryOption) {
  TempDir dir;
  auto run = run_doctor(dir, {"--help"});
  EXPECT_EQ(run.exit_code, 0);
  for (const char* option : {"--config", "--json", "--timeout-s", "--help"})
    EXPECT_NE(run.output.find(option), std::string::npos) << option << "\n" << run.output;
}

TEST(Doctor, BadTimeoutIsAUsageError) {
  TempDir dir;
  auto run = run_doctor(dir, {"--timeout-s", "0"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
}

}  // namespace
}  // namespace mdtc
