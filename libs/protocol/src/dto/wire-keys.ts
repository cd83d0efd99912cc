/**
 * Go decodes JSON keys case-insensitively, so ExternalDNS before v0.17 sends
 * `Create` where newer ones send `create`. This renames the keys of `value`
 * to the canonical spelling in `keys`, leaving unknown keys alone (they are
 * ignored later, as Go ignores them). Only the object itself is touched:
 * label maps below it keep their keys exactly.
 */
const indexes = new WeakMap<readonly string[], { exact: Set<string>; byLowerCase: Map<string, string> }>();

export function canonicalizeKeys(value: unknown, keys: readonly string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  let index = indexes.get(keys);
  if (!index) {
    index = { exact: new Set(keys), byLowerCase: new Map(keys.map((key) => [key.toLowerCase(), key])) };
    indexes.set(keys, index);
  }
  const { exact, byLowerCase } = index;
  const object = value as Record<string, unknown>;
  // ExternalDNS since v0.17 sends the canonical spelling and nothing else: the object is used as it is.
  let canonicalAlready = true;
  for (const key in object) {
    if (!exact.has(key)) {
      canonicalAlready = false;
      break;
    }
  }
  if (canonicalAlready) return object;
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(object)) {
    const canonical = byLowerCase.get(key.toLowerCase());
    // An exact spelling wins over a case-folded one, as in Go's decoder.
    if (canonical && (key === canonical || !(canonical in result))) result[canonical] = entry;
  }
  return result;
}
