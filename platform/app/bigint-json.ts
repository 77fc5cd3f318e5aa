/**
 * Store documents are JSON; billing money is `bigint`. These turn a value holding bigints into
 * plain JSON (`{"$bigint": "123"}`) and back, so statements and payment accounts persist exactly.
 */
const TAG = '$bigint';

/** A deep copy of `value` with every bigint replaced by `{ $bigint: "<digits>" }`. */
export function encodeBigInts<T>(value: T): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { [TAG]: v.toString() } : v)));
}

/** The inverse of `encodeBigInts`. */
export function decodeBigInts<T>(doc: unknown): T {
  return JSON.parse(JSON.stringify(doc), (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG) return BigInt((v as Record<string, string>)[TAG]!);
    }
    return v;
  }) as T;
}
