// pg throws its DatabaseError and PGlite its own class, so the SQLSTATE code is the one test that
// works on both engines.

const UNIQUE_VIOLATION = "23505";
const CHECK_VIOLATION = "23514";

/** A unique index or constraint refused the row; with `constraint`, that one in particular. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return hasSqlState(error, UNIQUE_VIOLATION, constraint);
}

export function isCheckViolation(error: unknown, constraint?: string): boolean {
  return hasSqlState(error, CHECK_VIOLATION, constraint);
}

function hasSqlState(error: unknown, code: string, constraint: string | undefined): boolean {
  if (typeof error !== "object" || error === null) return false;
  const fields = error as { code?: unknown; constraint?: unknown };
  return fields.code === code && (constraint === undefined || fields.constraint === constraint);
}
