-- Tenants as records and the keys that belong to them. A tenant of an API_KEYS entry keeps the id
-- it always had (a hash of its key) and gets a row here only once it needs one (its first created
-- key, or being disabled); admin-created tenants get one at once. Keys are stored as the SHA-256
-- of the secret only (docs/keys.md says why that suffices for 190-bit random keys).
CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER
);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  tenant TEXT NOT NULL,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  scopes TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at DESC, id DESC);
