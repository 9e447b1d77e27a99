#include "cache_remedy.h"

namespace mdtc::cli {

std::string cache_remedy(const std::string& code, const std::string& db) {
  // A re-import cannot repair a file SQLite cannot read, nor data sealed with
  // a lost key: the remedy is a fresh file beside the old one.
  const std::string reset = "mdt-coresponder cache reset --db " + db;
  const std::string refill =
      ", then import a registry snapshot (mdt-coresponder cache import FILE --db " + db +
      ") or let the registry sync fetch one";
  if (code == "cache.corrupt" || code == "cache.integrity")
    return reset + " (moves the corrupt file aside, keeps the key)" + refill;
  if (code == "cache.key_missing")
    return "if the key is elsewhere, restore it or point cache.key_file (or --key) at it; if it is lost, nothing "
           "can read this cache: " + reset + refill + " (a new key is made with it)";
  if (code == "cache.key_mismatch")
    return "check cache.key_file names the key this cache was made with; if that key is lost: " + reset + refill;
  if (code == "cache.schema") return "start the plugin or run a cache import once: either upgrades it";
  if (code == "cache.schema_newer")
    return "install the build that wrote it again, or start this build on a new cache: " + reset + refill;
  if (code == "registry.old_version")
    return "nothing to do: the cache already holds a newer version; import the registry's current file";
  return {};
}

}  // namespace mdtc::cli
