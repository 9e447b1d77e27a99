#include "cache_options.h"

namespace mdtc {

cache::OpenOptions cache_open_options(const config::Config& c, CacheAccess access) {
  cache::OpenOptions o;
  o.db_path = c.cache_db;
  o.key_path = c.cache_key_file;
  o.max_age_h = c.cache_max_age_h;
  o.revalidate_days = c.cache_revalidate_days;  // the purge on open uses it too
  o.max_snapshot_shrink_pct = c.cache_max_snapshot_shrink_pct;
  o.place_aliases = c.cache_place_alias_pairs;
  o.create_if_missing = access == CacheAccess::create_if_missing;
  o.read_only = access == CacheAccess::read_only;
  return o;
}

cache::MatchOptions cache_match_options(const config::Config& c) {
  cache::MatchOptions m;
  m.nearby_radius_m = c.cache_nearby_radius_m;
  m.max_text_geo_gap_m = c.cache_max_text_geo_gap_m;
  m.history_lookback_days = c.cache_history_lookback_days;
  m.revalidate_days = c.cache_revalidate_days;
  return m;
}

}  // namespace mdtc
