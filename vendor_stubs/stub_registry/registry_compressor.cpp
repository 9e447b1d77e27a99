#include "registry_compressor.h"

#include <zstd.h>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "registry_catalog.h"

namespace mdtc::stub_registry {

bool compress_file(const std::string& in_path, const std::string& out_path, int level, CompressedFile& out,
                   std::string& in_sha256, std::string& why) {
  std::ifstream in(in_path, std::ios::binary);
  std::ofstream o(out_path, std::ios::binary | std::ios::trunc);
  if (!in || !o) {
    why = "cannot open " + (in ? out_path : in_path);
    return false;
  }
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (!cctx) {
    why = "out of memory";
    return false;
  }
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  // The unit checks the whole file's SHA-256 anyway; the frame's own
  // checksum (4 bytes) makes a decoder notice damage where it happens.
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  Poco::SHA2Engine in_hash(Poco::SHA2Engine::SHA_256), out_hash(Poco::SHA2Engine::SHA_256);
  std::vector<char> ibuf(ZSTD_CStreamInSize()), obuf(ZSTD_CStreamOutSize());
  uint64_t written = 0;
  bool ok = true;
  for (bool last = false; ok && !last;) {
    in.read(ibuf.data(), static_cast<std::streamsize>(ibuf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    if (in.bad()) {
      why = "read of " + in_path + " failed";
      ok = false;
      break;
    }
    last = got < ibuf.size();
    in_hash.update(ibuf.data(), got);
    ZSTD_inBuffer input{ibuf.data(), got, 0};
    const ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
    for (bool done = false; !done;) {
      ZSTD_outBuffer output{obuf.data(), obuf.size(), 0};
      const std::size_t left = ZSTD_compressStream2(cctx, &output, &input, mode);
      if (ZSTD_isError(left)) {
        why = std::string("zstd: ") + ZSTD_getErrorName(left);
        ok = false;
        break;
      }
      o.write(obuf.data(), static_cast<std::streamsize>(output.pos));
      out_hash.update(obuf.data(), output.pos);
      written += output.pos;
      done = last ? left == 0 : input.pos == input.size;
    }
  }
  ZSTD_freeCCtx(cctx);
  if (ok && !o.flush()) {
    why = "write to " + out_path + " failed";
    ok = false;
  }
  if (!ok) return false;
  out.path = out_path;
  out.size = written;
  out.sha256 = Poco::DigestEngine::digestToHex(out_hash.digest());
  in_sha256 = Poco::DigestEngine::digestToHex(in_hash.digest());
  return true;
}

RegistryCompressor::RegistryCompressor(int level, bool corrupt) : level_(level), corrupt_(corrupt) {
  std::error_code ec;
  std::string tmpl = (std::filesystem::temp_directory_path(ec) / "stub-registry-zstd-XXXXXX").string();
  if (ec) tmpl = "/tmp/stub-registry-zstd-XXXXXX";
  if (::mkdtemp(tmpl.data())) dir_ = tmpl;
}

RegistryCompressor::~RegistryCompressor() {
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

const CompressedFile* RegistryCompressor::get(const CatalogFile& f, std::string& why) {
  if (auto it = made_.find(f.sha256); it != made_.end()) return &it->second;
  if (dir_.empty()) {
    why = "no directory for compressed copies";
    return nullptr;
  }
  CompressedFile c;
  std::string read_sha;
  const std::string path = dir_ + "/" + std::to_string(++serial_) + ".jsonl.zst";
  if (!compress_file(f.path, path, level_, c, read_sha, why)) return nullptr;
  if (read_sha != f.sha256) {
    why = f.path + " changed while it was being compressed";
    std::filesystem::remove(path);
    return nullptr;
  }
  if (corrupt_ && c.size > 0) {
    // Past the frame header, so the damage is in the data.
    std::fstream io(path, std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(c.size / 2);
    char b = 0;
    io.seekg(at);
    io.get(b);
    io.seekp(at);
    io.put(static_cast<char>(b ^ 0x5a));
    io.close();
    c.sha256 = file_sha256(path);
  }
  return &made_.emplace(f.sha256, std::move(c)).first->second;
}

void RegistryCompressor::keep_only(const std::vector<CatalogFile>& files) {
  for (auto it = made_.begin(); it != made_.end();) {
    const bool served = std::any_of(files.begin(), files.end(), [&](const CatalogFile& f) { return f.sha256 == it->first; });
    if (served) {
      ++it;
      continue;
    }
    std::error_code ec;
    std::filesystem::remove(it->second.path, ec);
    it = made_.erase(it);
  }
}

}  // namespace mdtc::stub_registry
