import pg from "pg";

// pg returns INT8 as a string and PGlite as a number (or a bigint when large). Both engines are
// given this parser so callers see a number either way: counts, sums and audit ids stay far below
// 2^53, and a value that does not fit fails the query instead of silently losing digits.

const INT8_OID = 20;
const INT8_ARRAY_OID = 1016;

export function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`expected an int8 within ±2^53 - 1, got ${text}`);
  }
  return value;
}

/** Type parsers for a pg Pool: pg's defaults, except INT8 and INT8[] as numbers. */
export const pgTypeParsers: pg.CustomTypesConfig = {
  getTypeParser(oid, format) {
    // pg-types declares no member for INT8[], so compare the plain number.
    const id: number = oid;
    if (format !== "binary") {
      if (id === INT8_OID) return parseInt8;
      if (id === INT8_ARRAY_OID) {
        const parseStrings = pg.types.getTypeParser(oid, format);
        return (text: string): unknown => parseInt8Elements(parseStrings(text));
      }
    }
    return pg.types.getTypeParser(oid, format);
  },
};

function parseInt8Elements(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(parseInt8Elements);
  return typeof value === "string" ? parseInt8(value) : value;
}
