// Which errors are the database itself failing (disk full, read-only file, I/O error, corruption),
// as opposed to a bug or one bad feed: a pass stops at the first of these (docs/operations.md,
// "When things go wrong").
const DATABASE_FAULTS = /^SQLITE_(FULL|READONLY|IOERR|CORRUPT|CANTOPEN|NOTADB|PERM)/;

/** better-sqlite3 raises SqliteError with a `code` like SQLITE_FULL or SQLITE_IOERR_WRITE. */
export function isDatabaseFault(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DATABASE_FAULTS.test(code);
}
