// Filled in by the config module.
