// Table-driven tests for checks (like ESLint's RuleTester): one test per case, with readable mismatches.
import type { Check, CheckResult } from '../../engine/types.js';
import { argvMatches, fmtArgv, type ArgPattern } from './fake-exec.js';
import { runCheck, type CheckRun, type CheckSetup } from './run-check.js';

/** A partial expectation: objects match a subset of keys, arrays match length and each element, RegExps test strings. */
export type Expected<T> =
  T extends string ? string | RegExp | ((v: T) => boolean)
    : T extends (infer E)[] ? Expected<E>[] | ((v: T) => boolean)
      : T extends object ? { [K in keyof T]?: Expected<T[K]> } | ((v: T) => boolean)
        : T | ((v: T) => boolean);

export interface CheckCase extends CheckSetup {
  name: string;
  /** What the result must look like (partial). */
  expect?: Expected<CheckResult>;
  /** The exact commands run, in order, as they would run (nsenter prefix included). */
  commands?: ArgPattern[][];
  /** The check must fail to run: its error message contains this string or matches this RegExp. */
  throws?: string | RegExp;
  /** Anything else, with your test runner's assertions. */
  assert?(run: CheckRun): void | Promise<void>;
  only?: boolean;
  skip?: boolean;
}

/** Runs one case and throws an Error listing every mismatch. Usable from any test runner. */
export async function verifyCase(check: Check, c: CheckCase): Promise<CheckRun | undefined> {
  let run: CheckRun;
  try {
    run = await runCheck(check, c);
  } catch (e) {
    if (c.throws === undefined) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    if (typeof c.throws === 'string' ? !msg.includes(c.throws) : !c.throws.test(msg)) {
      throw new Error(`${c.name}: expected an error matching ${String(c.throws)}, got: ${msg}`);
    }
    return undefined;
  }
  if (c.throws !== undefined) throw new Error(`${c.name}: expected an error matching ${String(c.throws)}, but the check returned ${run.result.status}: ${run.result.summary}`);
  const problems: string[] = [];
  if (c.expect !== undefined) problems.push(...mismatches(run.result, c.expect, 'result'));
  if (c.commands) {
    if (c.commands.length !== run.commands.length || !c.commands.every((p, i) => argvMatches(p, run.commands[i]!, {}))) {
      problems.push(`commands: expected\n    ${c.commands.map(fmtArgv).join('\n    ')}\n  got\n    ${run.commands.map(fmtArgv).join('\n    ') || '(none)'}`);
    }
  }
  if (problems.length) {
    throw new Error(`${c.name}: ${problems.length} mismatch(es)\n  ${problems.join('\n  ')}\n  (status ${run.result.status}: ${run.result.summary})`);
  }
  await c.assert?.(run);
  return run;
}

export interface TestRunner {
  test?: TestFn;
  describe?: (name: string, body: () => void) => void;
}
type TestFn = ((name: string, body: () => Promise<unknown>) => unknown) & {
  only?: (name: string, body: () => Promise<unknown>) => unknown;
  skip?: (name: string, body: () => Promise<unknown>) => unknown;
};

/**
 * Registers one test per case with your runner: `testCheck(check, cases, { test, describe })` with vitest's or
 * node:test's functions (the globals `describe`/`it` are used when present).
 */
export function testCheck(check: Check, cases: CheckCase[], runner: TestRunner = {}): void {
  const g = globalThis as { it?: TestFn; test?: TestFn; describe?: TestRunner['describe'] };
  const test = runner.test ?? g.it ?? g.test;
  if (!test) throw new Error('testCheck needs your test function: testCheck(check, cases, { test }) (vitest: import { test } from "vitest")');
  const describe = runner.describe ?? g.describe ?? ((_: string, body: () => void) => body());
  const names = new Set<string>();
  describe(check.id, () => {
    for (const c of cases) {
      if (names.has(c.name)) throw new Error(`testCheck(${check.id}): two cases are named "${c.name}"`);
      names.add(c.name);
      const register = c.only && test.only ? test.only : c.skip && test.skip ? test.skip : test;
      register(c.name, async () => { await verifyCase(check, c); });
    }
  });
}

/** The differences between a value and a partial expectation, as "path: expected X, got Y" lines. */
export function mismatches(actual: unknown, expected: unknown, path = 'value'): string[] {
  if (typeof expected === 'function') {
    const text = String(expected).replace(/\s+/g, ' ');
    return (expected as (v: unknown) => boolean)(actual) ? [] : [`${path}: ${show(actual)} does not satisfy ${text.length > 80 ? `${text.slice(0, 80)}…` : text}`];
  }
  if (expected instanceof RegExp) {
    return typeof actual === 'string' && expected.test(actual) ? [] : [`${path}: expected to match ${String(expected)}, got ${show(actual)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) {
      return [`${path}: expected ${expected.length} element(s), got ${actual.length}${actual.length ? `: ${show(actual)}` : ''}`];
    }
    return expected.flatMap((e, i) => mismatches(actual[i], e, `${path}[${i}]`));
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return [`${path}: expected an object, got ${show(actual)}`];
    return Object.entries(expected).flatMap(([k, e]) => mismatches((actual as Record<string, unknown>)[k], e, `${path}.${k}`));
  }
  return Object.is(actual, expected) ? [] : [`${path}: expected ${show(expected)}, got ${show(actual)}`];
}

function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v, (_, x) => (x instanceof RegExp ? String(x) : x)) ?? String(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
