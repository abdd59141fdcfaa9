// Where the versioned SQL migrations live. Files are named `NNNN_snake_name.sql` and applied in order;
// the runner (sync-server/src/db) reads them, this package only says where they are.
export const MIGRATIONS_DIR: URL = new URL('../migrations/', import.meta.url);

/** `0003_tickets.sql` -> version 3, name `tickets`. Anything else is not a migration file. */
export const MIGRATION_FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
