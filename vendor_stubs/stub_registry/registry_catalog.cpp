#include "registry_catalog.h"

#include <sys/stat.h>

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace mdtc::stub_registry {
namespace {

int64_t mtime_ns(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

// The header line's mode and version, or an explanation.
bool read_header(const std::string& path, std::string& mode, int64_t& version, std::string& why) {
  std::ifstream in(path, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) {
    why = "cannot read the first line";
    return false;
  }
  if (line.size() > 65536) {
    why = "first line too long";
    return false;
  }
  try {
    Poco::JSON::Parser parser;
    auto obj = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
    if (!obj || obj->optValue<std::string>("type", "") != "header") {
      why = "the first line is not a header (a served file needs mode and version)";
      return false;
    }
    mode = obj->optValue<std::string>("mode", "");
    if (mode != "snapshot" && mode != "delta") {
      why = "header mode \"" + mode + "\": expected snapshot or delta";
      return false;
    }
    if (!obj->has("version") || !obj->get("version").isInteger()) {
      why = "header has no integer version";
      return false;
    }
    version = obj->getValue<int64_t>("version");
    if (version < 0) {
      why = "header version is negative";
      return false;
    }
  } catch (const std::exception& e) {
    why = std::string("header is not JSON: ") + e.what();
    return false;
  }
  return true;
}

}  // namespace

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  Poco::SHA2Engine e(Poco::SHA2Engine::SHA_256);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (in.gcount() > 0) e.update(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return Poco::DigestEngine::digestToHex(e.digest());
}

Answer choose(const std::vector<CatalogFile>& files, std::optional<int64_t> have, bool want_snapshot) {
  Answer a;
  if (files.empty()) {
    a.code = "empty";
    a.message = "the registry has no files to serve yet";
    return a;
  }
  const CatalogFile* snapshot = nullptr;
  int64_t latest = 0;
  for (const auto& f : files) {
    latest = std::max(latest, f.version);
    if (f.mode == "snapshot" && (!snapshot || f.version >= snapshot->version)) snapshot = &f;
  }
  if (want_snapshot || !have) {
    if (!snapshot) {
      a.code = "no_snapshot";
      a.message = "the registry holds deltas only; a unit without data needs a snapshot";
      return a;
    }
    a.kind = Answer::Kind::offer;
    a.file = snapshot;
    return a;
  }
  if (*have >= latest) {
    a.kind = Answer::Kind::up_to_date;
    a.latest = latest;
    return a;
  }
  for (const auto& f : files) {
    if (f.mode == "delta" && f.version == *have + 1) {
      a.kind = Answer::Kind::offer;
      a.file = &f;
      return a;
    }
  }
  if (snapshot && snapshot->version > *have) {
    a.kind = Answer::Kind::offer;
    a.file = snapshot;
    return a;
  }
  a.code = "no_path";
  a.message = "no delta follows version " + std::to_string(*have) + " and no newer snapshot exists";
  return a;
}

std::vector<std::string> RegistryCatalog::rescan() {
  std::vector<std::string> warnings;
  std::vector<CatalogFile> next;
  std::error_code ec;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || entry.path().extension() != ".jsonl") continue;
    paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  for (const auto& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const int64_t mt = mtime_ns(st);
    auto known = std::find_if(files_.begin(), files_.end(), [&](const CatalogFile& f) {
      return f.path == path && f.mtime_ns == mt && f.size == static_cast<uint64_t>(st.st_size);
    });
    if (known != files_.end()) {
      next.push_back(*known);
      continue;
    }
    if (std::find(unusable_.begin(), unusable_.end(), std::make_pair(path, mt)) != unusable_.end()) continue;
    CatalogFile f;
    f.path = path;
    f.size = static_cast<uint64_t>(st.st_size);
    f.mtime_ns = mt;
    std::string why;
    if (!read_header(path, f.mode, f.version, why)) {
      unusable_.emplace_back(path, mt);
      warnings.push_back(path + ": not served: " + why);
      continue;
    }
    f.sha256 = file_sha256(path);
    next.push_back(std::move(f));
  }
  files_ = std::move(next);
  return warnings;
}

const CatalogFile* RegistryCatalog::find(int64_t version, const std::string& mode, const std::string& sha256) const {
  for (const auto& f : files_)
    if (f.version == version && f.mode == mode && f.sha256 == sha256) return &f;
  return nullptr;
}

bool RegistryCatalog::unchanged(const CatalogFile& f) {
  struct stat st {};
  return ::stat(f.path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) == f.size && mtime_ns(st) == f.mtime_ns;
}

}  // namespace mdtc::stub_registry
