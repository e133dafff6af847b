/** `expected group to be a uuid string`: the contract, named by field. */
export function expected(field: string, what: string): string {
  return `expected ${field} to be ${what}`;
}

/** Shortens client-supplied text before it is quoted back in an error message. */
export function clip(text: string, maxLength = 64): string {
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
