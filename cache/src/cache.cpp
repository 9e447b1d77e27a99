// Filled in by the cache module.
