/**
 * Go decodes JSON keys case-insensitively, so ExternalDNS before v0.17 sends
 * `Create` where newer ones send `create`. This renames the keys of `value`
 * to the canonical spelling in `keys`, leaving unknown keys alone (they are
 * ignored later, as Go ignores them). Only the object itself is touched:
 * label maps below it keep their keys exactly.
 */
const lowerCaseIndexes = new WeakMap<readonly string[], Map<string, string>>();

export function canonicalizeKeys(value: unknown, keys: readonly string[]): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  let byLowerCase = lowerCaseIndexes.get(keys);
  if (!byLowerCase) {
    byLowerCase = new Map(keys.map((key) => [key.toLowerCase(), key]));
    lowerCaseIndexes.set(keys, byLowerCase);
  }
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    const canonical = byLowerCase.get(key.toLowerCase());
    // An exact spelling wins over a case-folded one, as in Go's decoder.
    if (canonical && (key === canonical || !(canonical in result))) result[canonical] = entry;
  }
  return result;
}
