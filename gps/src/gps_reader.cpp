// Filled in by the gps module.
