// Filled in by the bridge module.
