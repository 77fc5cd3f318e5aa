/**
 * True when `a` and `b` serialise to the same JSON (`JSON.stringify(a) === JSON.stringify(b)`,
 * key order included, `undefined` members skipped, `undefined` elements as `null`), without building the two strings: a fleet
 * compares a status on every state change of every gateway.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    // An `undefined` element serialises as `null` (an `undefined` member is skipped instead).
    return a.length === other.length && a.every((x, i) => sameJson(x ?? null, other[i] ?? null));
  }
  const keysOf = (o: object): string[] => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = keysOf(a);
  const kb = keysOf(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameJson((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!])) return false;
  }
  return true;
}
