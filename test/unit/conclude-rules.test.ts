// The rules of the conclude step (src/engine/diagnosis.ts) and the report's route (src/engine/route.ts), one case
// each, where mutation testing showed a rule no other test held: which cause is weak and joins which, risks that
// join the cause they name, how joining moves confidence, which joined fixes a cause takes, and which record carries
// the route. Team causes (not in the kb) keep the arithmetic readable: severity weight × default prior 0.8.
import { describe, expect, it } from 'vitest';
import { conclude } from '../../src/engine/diagnosis.js';
import { concludeRoute } from '../../src/engine/route.js';
import type { CheckRecord, Finding, Fix, RouteReport, Target } from '../../src/engine/types.js';

const record = (id: string, findings: Finding[], extra: Partial<CheckRecord> = {}): CheckRecord => ({
  id, title: id, rung: 1, durationMs: 1, source: 'built-in', commands: [], status: findings.length ? 'fail' : 'pass',
  summary: '', evidence: [], findings: findings.map((f) => ({ ...f, severity: f.severity ?? 'high' })), ...extra,
});
const f = (cause: string, message: string, extra: Partial<Finding> = {}): Finding => ({ cause, severity: 'high', message, fixes: [], ...extra });
const causes = (records: CheckRecord[]) => conclude(records).diagnosis.map((d) => [d.cause, d.evidence.map((e) => `${e.check}:${e.message}${e.joined ? ' (joined)' : ''}`)]);
const runnable = (title: string): Fix => ({ title, commands: [['true', title]] });
const advice = (title: string): Fix => ({ title, commands: [] });

describe('conclude: weak causes join strong ones', () => {
  it('a finding that explains one observed cause (and others not seen) supports it: it joins, marked joined', () => {
    expect(causes([record('a', [f('team/a', 'A seen')]), record('w', [f('team/w', 'W seen', { explains: ['team/a', 'team/unseen'] })])]))
      .toEqual([['team/a', ['a:A seen', 'w:W seen (joined)']]]);
  });

  it('a cause whose findings explain only causes nobody saw is strong: a weak cause can join it', () => {
    expect(causes([
      record('x', [f('team/x', 'X seen', { explains: ['team/unseen'] })]),
      record('y', [f('team/y', 'Y seen', { explains: ['team/x'] })]),
    ])).toEqual([['team/x', ['x:X seen', 'y:Y seen (joined)']]]);
  });

  it('explaining its own cause does not make a cause weak', () => {
    expect(causes([
      record('s', [f('team/s', 'S seen', { explains: ['team/s'] })]),
      record('y', [f('team/y', 'Y seen', { explains: ['team/s'] })]),
    ])).toEqual([['team/s', ['s:S seen', 'y:Y seen (joined)']]]);
  });

  it('one finding of a cause that supports nothing keeps the cause strong and its own, even if its first one supports', () => {
    expect(causes([
      record('a', [f('team/a', 'A seen')]),
      record('c', [f('team/c', 'C supports A', { explains: ['team/a'] }), f('team/c', 'C on its own')]),
    ]).map(([c]) => c).sort()).toEqual(['team/a', 'team/c']);
  });

  it('two causes that only explain each other: both weak, neither can join, both stand', () => {
    expect(causes([
      record('p', [f('team/p', 'P seen', { explains: ['team/q'] })]),
      record('q', [f('team/q', 'Q seen', { explains: ['team/p'] })]),
    ]).map(([c]) => c).sort()).toEqual(['team/p', 'team/q']);
  });
});

describe('conclude: risks', () => {
  it('a risk joins the observed cause it names (not only those it explains); with none it is a note', () => {
    const r = conclude([
      record('t', [f('team/t', 'T seen')]),
      record('cfg', [f('team/t', 'T is configured to happen', { risk: true }), f('team/other', 'could happen', { risk: true })]),
    ]);
    expect(r.diagnosis.map((d) => d.evidence.map((e) => `${e.message}${e.joined ? ' (joined)' : ''}`))).toEqual([['T seen', 'T is configured to happen (joined)']]);
    expect(r.notes).toEqual([{ check: 'cfg', cause: 'team/other', message: 'could happen' }]);
  });

  it('what joins raises confidence by 0.05: high 0.8 × prior 0.8 = 0.64, and 0.69 with a risk joined', () => {
    expect(conclude([record('t', [f('team/t', 'T seen')])]).diagnosis[0]!.confidence).toBe(0.64);
    expect(conclude([record('t', [f('team/t', 'T seen')]), record('cfg', [f('team/t', 'why', { risk: true })])]).diagnosis[0]!.confidence).toBe(0.69);
  });
});

describe('conclude: the fixes a cause takes from what joined it', () => {
  const own = (fixes: Fix[]) => record('t', [f('team/t', 'T seen', { fixes }), f('team/t', 'T again')]);
  const joinedWith = (fixes: Fix[]) => record('cfg', [f('team/t', 'the configuration', { risk: true, fixes })]);
  const fixesOf = (records: CheckRecord[]) => conclude(records).diagnosis[0]!.fixes.map((x) => x.title);

  it('joined runnable fixes always come along', () => {
    expect(fixesOf([own([runnable('own')]), joinedWith([runnable('joined')])])).toEqual(['own', 'joined']);
  });

  it('joined advice (no commands) only where no finding of the cause has a fix of its own', () => {
    expect(fixesOf([own([runnable('own')]), joinedWith([advice('joined advice')])])).toEqual(['own']);
    expect(fixesOf([own([]), joinedWith([advice('joined advice')])])).toEqual(['joined advice']);
  });
});

describe('concludeRoute', () => {
  const target: Target = {
    kind: 'iface', iface: 'v0', windowMs: 1000, expect: [],
    hops: [{ label: 'peer v1', iface: 'v1', netns: { kind: 'name', name: 'p' }, node: 'peer' }, { label: 'xdp v0', iface: 'v0', xdp: true }],
  };
  const route = (labels: string[]): RouteReport => ({
    hops: labels.map((label) => ({ label, iface: label, xdp: false, requests: 1, replies: 1, encapsulated: 0, state: 'seen' as const })),
    verdict: 'ok', synRetransmissions: 0,
  });

  it('the first record that carries hops, wherever it is, not one with an empty route', () => {
    const r = concludeRoute(target, [record('a', []), record('empty', [], { route: route([]) }), record('routing', [], { route: route(['h1', 'h2']) })]);
    expect(r?.check).toBe('routing');
    expect(r?.hops.map((h) => h.label)).toEqual(['h1', 'h2']);
  });

  it('none: the target\'s hops as unknown, with their namespace and node', () => {
    const r = concludeRoute(target, [record('a', [])]);
    expect(r?.hops).toEqual([
      { label: 'peer v1', iface: 'v1', netns: { kind: 'name', name: 'p' }, node: 'peer', xdp: false, requests: 0, replies: 0, encapsulated: 0, state: 'unknown' },
      { label: 'xdp v0', iface: 'v0', xdp: true, requests: 0, replies: 0, encapsulated: 0, state: 'unknown' },
    ]);
    expect(r?.missing).toMatch(/^no rung recorded the route/);
    expect(concludeRoute({ ...target, hops: [] }, [])).toBeUndefined();
  });
});
