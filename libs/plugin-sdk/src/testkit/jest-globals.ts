/**
 * The few test-runner globals the conformance suite uses, reached through
 * `globalThis` at call time: the SDK must not import jest at run time (a
 * plugin author may run vitest in globals mode, which provides the same
 * names), and declaring them globally would clash with `@types/jest`.
 */
export interface ConformanceMatchers {
  toEqual(expected: unknown): void;
  toBe(expected: unknown): void;
  toContain(expected: unknown): void;
  toBeGreaterThanOrEqual(expected: number): void;
  toBeLessThanOrEqual(expected: number): void;
  readonly not: ConformanceMatchers;
}

type Body = () => void | Promise<void>;

export interface ConformanceGlobals {
  describe(name: string, body: () => void): void;
  it(name: string, body: Body, timeout?: number): void;
  beforeEach(body: Body, timeout?: number): void;
  afterEach(body: Body, timeout?: number): void;
  expect(actual: unknown): ConformanceMatchers;
}

export function testGlobals(): ConformanceGlobals {
  const scope = globalThis as unknown as Partial<ConformanceGlobals>;
  const missing = (['describe', 'it', 'beforeEach', 'afterEach', 'expect'] as const).filter(
    (name) => typeof scope[name] !== 'function',
  );
  if (missing.length > 0) {
    throw new Error(
      `the dnsgate conformance suite needs the test runner's globals (${missing.join(', ')} missing): run it under jest, or vitest with globals: true`,
    );
  }
  return scope as ConformanceGlobals;
}
