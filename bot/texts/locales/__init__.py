"""Message catalogs. `ru` is the source of truth; every other catalog has the same keys."""
