#!/usr/bin/env node
// `npm run bench` — how fast xdp-doctor is, against the manual ladder and against the floor, in ONE run on this
// machine: brings up a lab with the veth-peer fault, measures every series --reps times (interleaved, so drift
// and the load of other processes hit all of them alike), reports medians, ratios and the targets as JSON and a
// table, and takes the lab down at the end, on error and on Ctrl-C. It is a benchmark, not a test: it fails only
// when something could not be measured. A ladder run counts only when its exit code and top cause are the
// scenario's expected ones (bench/lib/expect.mjs); the others are listed as failed. The wizard's start-up figure is
// Ink's first real frame; the splash line painted before Ink loads is reported beside it. The wizard's `a` is timed
// against the non-interactive ladder, spawn to the diagnosis on screen, with the probes it sent (wizard-all.mjs).
// Then, per lab scenario (healthy and each fault, --scenario-reps times), the ladder against its probe alone with
// the phases from the report's own timings (faults.mjs).
//
//   node bench/run.mjs [--reps N] [--json FILE] [--lab-name NAME] [--no-audit] [--scenario-reps N | --no-scenarios]
//
// JSON goes to stdout (the table to stderr) unless --json FILE is given (then the table goes to stdout).
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, release } from 'node:os';
import { parseArgs } from 'node:util';
import { killAll, mustRun, removeTmuxSocket, run } from './lib/proc.mjs';
import { CLI, ROOT, labDown, labUp } from './lib/lab.mjs';
import { faultsTable, measureFaults } from './faults.mjs';
import { median, mb, ms, ratio, round, summary, table } from './lib/stats.mjs';
import { ladderRun } from './ladder.mjs';
import { EXPECTED, judgeFloor, judgeManual, scenarioOf } from './lib/expect.mjs';
import { manualLadder } from './manual-ladder.mjs';
import { measureFloor } from './floor.mjs';
import { importAudit, tmuxSockets, versionSample, wizardSample } from './startup.mjs';
import { stopWizards, wizardAllRun, wizardSockets } from './wizard-all.mjs';

const USAGE = 'usage: node bench/run.mjs [--reps N] [--json FILE] [--lab-name NAME] [--no-audit] [--scenario-reps N | --no-scenarios]';
let values;
try {
  ({ values } = parseArgs({
    options: {
      reps: { type: 'string', default: '5' },
      json: { type: 'string' },
      'lab-name': { type: 'string', default: 'bench' },
      'no-audit': { type: 'boolean', default: false },
      'scenario-reps': { type: 'string', default: '3' },
      'no-scenarios': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (e) {
  process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) { process.stdout.write(`${USAGE}\n`); process.exit(0); }
const reps = Number(values.reps);
const lab = values['lab-name'];
if (!Number.isInteger(reps) || reps < 1 || reps > 100) { process.stderr.write(`bench: --reps must be 1..100\n${USAGE}\n`); process.exit(2); }
const scenarioReps = Number(values['scenario-reps']);
if (!Number.isInteger(scenarioReps) || scenarioReps < 1 || scenarioReps > 50) { process.stderr.write(`bench: --scenario-reps must be 1..50\n${USAGE}\n`); process.exit(2); }
if (!/^[a-z0-9-]{1,10}$/.test(lab)) { process.stderr.write(`bench: --lab-name must be 1-10 of a-z, 0-9, -\n`); process.exit(2); }

const log = (s) => process.stderr.write(`bench: ${s}\n`);
const VERSION_SAMPLES_PER_REP = 5;
/** The lab's scenario: every ladder run must end in its expected exit code and top cause (lib/expect.mjs). */
const FAULTS = ['veth-peer'];

// ---- lab lifetime: down at the end, on error, on Ctrl-C / SIGTERM -------------------------------------------
let labIsUp = false;
let cleaning;
async function cleanup() {
  cleaning ??= (async () => {
    killAll('SIGKILL');
    for (const socket of [...tmuxSockets(), ...wizardSockets()]) {
      await run(['tmux', '-L', socket, 'kill-server']);
      removeTmuxSocket(socket);
    }
    await stopWizards();
    if (labIsUp) {
      log(`lab ${lab}: down`);
      const r = await labDown(lab);
      if (r.code !== 0) log(`lab down failed: ${r.stderr.trim()}`);
      labIsUp = false;
    }
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`${sig}: stopping, taking the lab down`);
    cleanup().finally(() => process.exit(130));
  });
}

function gitInfo() {
  try {
    const commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return { commit, dirty };
  } catch {
    return {};
  }
}

/**
 * The newest mtime under dist/: the tree is shared, and a build by someone else in the middle of the bench
 * would mix two builds in one set of figures. Compared at the start and the end; a change is flagged.
 */
function distStamp(dir = join(ROOT, 'dist')) {
  let newest = 0;
  let files = 0;
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) { files++; newest = Math.max(newest, statSync(p).mtimeMs); }
    }
  };
  try { walk(dir); } catch { /* no dist: the runs fail and say so */ }
  return { newest, files };
}

async function main() {
  const started = new Date();
  const distAtStart = distStamp();
  log(`lab ${lab}: up with ${FAULTS.map((f) => `--fault ${f}`).join(' ')}`);
  labIsUp = true;
  await labUp(lab, FAULTS);

  const samples = { ladder: [], manual: [], floor: [], version: [], wizard: [], wizardAll: [] };
  // Warm-up, not counted: page cache, first-time tool start-up.
  log('warm-up (not counted)');
  await ladderRun({ lab, faults: FAULTS });
  await wizardAllRun({ lab, faults: FAULTS });
  await versionSample();

  const series = {
    ladder: async () => {
      const r = await ladderRun({ lab, faults: FAULTS });
      samples.ladder.push(r);
      return `ladder ${ms(r.ms)}${r.error ? ` FAILED, not counted: ${r.error}` : ` (exit ${r.exitCode}, top cause ${r.topCause ?? 'none'}, ${r.probes ?? '?'} probe(s), node peak ${mb(r.nodeHwmKb)})`}`;
    },
    wizardAll: async () => {
      const r = await wizardAllRun({ lab, faults: FAULTS });
      samples.wizardAll.push(r);
      return `wizard a ${ms(r.ms)}${r.error ? ` FAILED, not counted: ${r.error}` : ` (a at ${ms(r.keyAtMs)}, exit ${r.exitCode}, top cause ${r.topCause ?? 'none'}, ${r.probes ?? '?'} probe(s))`}`;
    },
    manual: async () => {
      const r = await manualLadder({ lab });
      samples.manual.push(r);
      const why = judgeManual(r);
      return `manual ${ms(r.totalMs)} (${r.probes} probes)${why ? ` NOT COUNTED: ${why}` : ''}`;
    },
    floor: async () => {
      const r = await measureFloor({ lab });
      samples.floor.push(r);
      const why = judgeFloor(r);
      return `floor ${ms(r.floorMs)} (${r.slowest} ${ms(r.attach[r.slowest])} + probe ${ms(r.probeMs)})${why ? ` NOT COUNTED: ${why}` : ''}`;
    },
    startup: async () => {
      const v = [];
      for (let i = 0; i < VERSION_SAMPLES_PER_REP; i++) v.push(await versionSample());
      samples.version.push(...v);
      const w = await wizardSample();
      samples.wizard.push(w);
      return `--version ${ms(median(v.map((x) => x.versionMs)))} vs node -e 0 ${ms(median(v.map((x) => x.nodeMs)))}; ` +
        `wizard: Ink's first frame ${w.inkMs === undefined ? `none (${w.wizardError})` : ms(w.inkMs)} (splash ${ms(w.splashMs)})`;
    },
  };
  const order = Object.keys(series);
  for (let rep = 0; rep < reps; rep++) {
    // Rotate the order each repetition so no series always runs first (or right after the slow manual one).
    const turn = order.map((_, i) => order[(i + rep) % order.length]);
    for (const name of turn) log(`rep ${rep + 1}/${reps}: ${await series[name]()}`);
  }

  const audit = values['no-audit'] ? undefined : (log('import audit'), await importAudit(lab));
  // Per lab scenario (issue 22): the same lab, its fault fixed, then each fault broken in turn (bench/faults.mjs).
  let scenarios;
  if (!values['no-scenarios']) {
    log(`per scenario, ${scenarioReps} reps: the ladder against the probe alone`);
    for (const f of FAULTS) await mustRun(['node', CLI, 'lab', 'fix', '--lab-name', lab, f], { timeoutMs: 60_000 });
    scenarios = await measureFaults({ lab, reps: scenarioReps });
  }
  const result = summarize({ samples, audit, started });
  if (scenarios) {
    result.scenarios = scenarios;
    result.targets.push(...scenarioTargets(scenarios, result.breakdown.floor.attachMs.bpftrace));
  }
  const distAtEnd = distStamp();
  result.distChangedDuringRun = distAtEnd.newest !== distAtStart.newest || distAtEnd.files !== distAtStart.files;
  if (result.distChangedDuringRun) log('WARNING: dist/ was rebuilt during the run (someone else built the shared tree): the figures mix two builds');
  return result;
}

/**
 * Issue 22's targets: on each fault the ladder within 0.5× the failing probe alone; on the healthy lab within 1.2×
 * the passing probe plus one bpftrace attach (the floor series' median). A scenario with no counted run fails.
 */
function scenarioTargets(scenarios, bpftraceAttachMs) {
  return Object.entries(scenarios).map(([name, r]) => {
    const healthy = name === 'healthy';
    const value = healthy ? ratio(r.ladderMs, typeof bpftraceAttachMs === 'number' ? r.probeMs + bpftraceAttachMs : undefined) : r.ratio;
    const limit = healthy ? 1.2 : 0.5;
    const what = healthy ? 'healthy lab: ladder / (probe + one bpftrace attach)' : `${name}: ladder / failing probe alone`;
    return { name: what, value, limit, ok: r.counted > 0 && typeof value === 'number' ? value <= limit : false };
  });
}

function summarize({ samples, audit, started }) {
  // Only runs that reached the expected conclusion count (ladder.mjs); the others are listed under failedRuns.
  const okLadder = samples.ladder.filter((r) => !r.error);
  const ladderMs = median(okLadder.map((r) => r.ms));
  // A manual run counts only when it reached the answer (every step ran, ENXIO and the counters seen: judgeManual);
  // a floor sample only when every collector attached, bpftrace built from this kernel's tracepoints (judgeFloor).
  // The others are listed, never used — with none counted the median is missing and its target fails.
  const manualRuns = samples.manual.filter((r) => !judgeManual(r));
  const manualMs = median(manualRuns.map((r) => r.totalMs));
  const floorRuns = samples.floor.filter((r) => !judgeFloor(r));
  const floorMs = median(floorRuns.map((r) => r.floorMs));
  const versionMs = median(samples.version.map((r) => r.versionMs));
  const nodeMs = median(samples.version.map((r) => r.nodeMs));
  // Only samples whose screen asked the start screen's question count (startup.mjs: START_QUESTION).
  const inkFrames = samples.wizard.map((w) => w.inkMs).filter((v) => v !== undefined);
  const wizardMs = median(inkFrames);
  const peakKb = Math.max(...okLadder.map((r) => r.nodeHwmKb ?? 0));
  // The wizard's `a`: only runs that reached the expected conclusion count, as for the ladder.
  const okWizardAll = samples.wizardAll.filter((r) => !r.error);
  const wizardAllMs = median(okWizardAll.map((r) => r.ms));
  const wizardProbes = okWizardAll.map((r) => r.probes);
  const probesKnown = wizardProbes.length > 0 && wizardProbes.every((p) => typeof p === 'number');
  const probesValue = !probesKnown ? undefined
    : Math.min(...wizardProbes) === Math.max(...wizardProbes) ? wizardProbes[0] : `${Math.min(...wizardProbes)}-${Math.max(...wizardProbes)}`;

  const perStep = {};
  for (const run of manualRuns) for (const s of run.steps) (perStep[s.name] ??= []).push(s.ms);
  const attach = {};
  for (const f of floorRuns) for (const [k, v] of Object.entries(f.attach)) (attach[k] ??= []).push(v);
  const checkMs = {};
  for (const r of okLadder) for (const [id, c] of Object.entries(r.checks ?? {})) (checkMs[id] ??= []).push(c.ms);
  const wizardCheckMs = {};
  for (const r of okWizardAll) for (const [id, c] of Object.entries(r.checks ?? {})) (wizardCheckMs[id] ??= []).push(c.ms);

  const ratios = {
    ladderToManual: ratio(ladderMs, manualMs),
    ladderToFloor: ratio(ladderMs, floorMs),
    versionToNode: ratio(versionMs, nodeMs),
    wizardAllToLadder: ratio(wizardAllMs, ladderMs),
  };
  const targets = [
    // No counted baseline: the value is missing and the target fails (ok false), it does not pass unmeasured.
    { name: 'full ladder / manual baseline', value: ratios.ladderToManual, limit: 0.35, ...(manualRuns.length ? {} : { ok: false }) },
    { name: 'full ladder / floor', value: ratios.ladderToFloor, limit: 1.5, ...(floorRuns.length ? {} : { ok: false }) },
    { name: '--version / node -e 0', value: ratios.versionToNode, limit: 1.5 },
    { name: "wizard: Ink's first frame (ms)", value: round(wizardMs, 0), limit: 300, ...(inkFrames.length ? {} : { ok: false }) },
    { name: 'peak RSS of the run, node process (MB)', value: round(peakKb / 1024, 1), limit: 150 },
    { name: "wizard's a / non-interactive ladder", value: ratios.wizardAllToLadder, limit: 1.2 },
    // Every counted run, exactly one probe: value is the count, or "min-max" when the runs disagree.
    { name: "wizard's a: probes sent", value: probesValue, op: '==', limit: 1, ok: probesKnown ? wizardProbes.every((p) => p === 1) : undefined },
  ].map((t) => ({ ...t, ok: 'ok' in t ? t.ok : typeof t.value === 'number' ? t.value <= t.limit : undefined }));

  return {
    schema: 3,
    startedAt: started.toISOString(),
    durationS: round((Date.now() - started.getTime()) / 1000, 0),
    command: `npm run bench -- --reps ${reps}`,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, kernel: release(), node: process.version },
    git: gitInfo(),
    lab: { name: lab, faults: FAULTS, expected: EXPECTED[scenarioOf(FAULTS)] },
    reps,
    medians: {
      ladderMs: round(ladderMs, 0), manualMs: round(manualMs, 0), floorMs: round(floorMs, 0),
      versionMs: round(versionMs, 1), nodeMs: round(nodeMs, 1),
      wizardInkFrameMs: round(wizardMs, 0), wizardSplashMs: round(median(samples.wizard.map((w) => w.splashMs)), 0),
      tmuxNodeFirstFrameMs: round(median(samples.wizard.map((w) => w.tmuxNodeMs)), 0),
      nodePeakRssKb: median(okLadder.map((r) => r.nodeHwmKb)), treePeakRssKb: median(okLadder.map((r) => r.treeRssKb)),
      wizardAllMs: round(wizardAllMs, 0), wizardAllKeyAtMs: round(median(okWizardAll.map((r) => r.keyAtMs)), 0),
      wizardAllAfterKeyMs: round(median(okWizardAll.map((r) => r.afterKeyMs)), 0),
    },
    maxNodePeakRssKb: peakKb,
    ratios,
    perRepRatios: {
      ladderToManual: round(median(samples.manual.map((m, i) => (samples.ladder[i]?.error || !manualRuns.includes(m) ? undefined : samples.ladder[i]?.ms / m.totalMs))), 3),
      ladderToFloor: round(median(samples.floor.map((f, i) => (samples.ladder[i]?.error || !floorRuns.includes(f) ? undefined : samples.ladder[i]?.ms / f.floorMs))), 3),
      wizardAllToLadder: round(median(samples.wizardAll.map((w, i) => (w.error || samples.ladder[i]?.error ? undefined : w.ms / samples.ladder[i]?.ms))), 3),
    },
    targets,
    breakdown: {
      ladder: {
        wall: summary(okLadder.map((r) => r.ms)),
        outsideLadderMs: summary(okLadder.map((r) => r.outsideLadderMs)),
        toProbeMs: summary(okLadder.map((r) => r.toProbeMs)),
        probeMs: summary(okLadder.map((r) => r.probeMs)),
        checkMs: Object.fromEntries(Object.entries(checkMs).map(([k, v]) => [k, round(median(v), 0)])),
        exitCodes: okLadder.map((r) => r.exitCode),
        topCauses: okLadder.map((r) => r.topCause),
        probes: okLadder.map((r) => r.probes),
        countedRuns: okLadder.length,
        failedRuns: samples.ladder.filter((r) => r.error).map((r) => ({
          ms: round(r.ms, 0), exitCode: r.exitCode, topCause: r.topCause, reason: r.error,
        })),
      },
      wizardAll: {
        wall: summary(okWizardAll.map((r) => r.ms)),
        keyAtMs: summary(okWizardAll.map((r) => r.keyAtMs)),
        afterKeyMs: summary(okWizardAll.map((r) => r.afterKeyMs)),
        // From its --report, as for the ladder: the ladder's start → the probe, the probe, each rung.
        toProbeMs: summary(okWizardAll.map((r) => r.toProbeMs)),
        probeMs: summary(okWizardAll.map((r) => r.probeMs)),
        checkMs: Object.fromEntries(Object.entries(wizardCheckMs).map(([k, v]) => [k, round(median(v), 0)])),
        probes: wizardProbes,
        exitCodes: okWizardAll.map((r) => r.exitCode),
        topCauses: okWizardAll.map((r) => r.topCause),
        countedRuns: okWizardAll.length,
        failedRuns: samples.wizardAll.filter((r) => r.error).map((r) => ({
          ms: round(r.ms, 0), exitCode: r.exitCode, topCause: r.topCause, probes: r.probes, reason: r.error,
        })),
        screen: samples.wizardAll.at(-1)?.screen,
      },
      manual: {
        wall: summary(manualRuns.map((r) => r.totalMs)),
        incompleteRuns: samples.manual.filter((r) => !manualRuns.includes(r)).map((r) => ({ ms: round(r.totalMs, 0), reason: judgeManual(r) })),
        probes: manualRuns[0]?.probes,
        stepMs: Object.fromEntries(Object.entries(perStep).map(([k, v]) => [k, round(median(v), 0)])),
        details: samples.manual.at(-1)?.steps.map((s) => `${s.name}: ${s.error ? `ERROR ${s.error}` : s.detail}`),
      },
      floor: {
        wall: summary(floorRuns.map((r) => r.floorMs)),
        countedRuns: floorRuns.length,
        uncountedRuns: samples.floor.filter((r) => !floorRuns.includes(r)).map((r) => ({ ms: round(r.floorMs, 0), reason: judgeFloor(r) })),
        tracepoints: samples.floor.at(-1)?.tracepoints,
        attachMs: Object.fromEntries(Object.entries(attach).map(([k, v]) => [k, round(median(v), 0)])),
        probeMs: summary(floorRuns.map((r) => r.probeMs)),
        errors: samples.floor.flatMap((r) => r.errors),
      },
      startup: {
        versionMs: summary(samples.version.map((r) => r.versionMs)),
        nodeMs: summary(samples.version.map((r) => r.nodeMs)),
        wizardInkFrameMs: summary(inkFrames),
        wizardInkFrame: samples.wizard.at(-1)?.inkFrame,
        wizardSplashMs: summary(samples.wizard.map((w) => w.splashMs)),
        wizardSplashFrame: samples.wizard.at(-1)?.splashFrame,
        wizardErrors: samples.wizard.filter((w) => w.wizardError).map((w) => w.wizardError),
      },
    },
    imports: audit,
  };
}

function render(r) {
  const b = r.breakdown;
  const rows = [
    [`xdp-doctor --lab --non-interactive --json (${probeWords(b.ladder.probes)})${b.ladder.failedRuns.length ? `, ${b.ladder.failedRuns.length} run(s) with the wrong conclusion not counted` : ''}`,
      ms(r.medians.ladderMs), ms(b.ladder.wall.min), ms(b.ladder.wall.max), b.ladder.wall.n],
    [`wizard's a, spawn → diagnosis on screen (tmux; ${probeWords(b.wizardAll.probes)})${b.wizardAll.failedRuns.length ? `, ${b.wizardAll.failedRuns.length} run(s) not counted` : ''}`,
      ms(r.medians.wizardAllMs), ms(b.wizardAll.wall.min), ms(b.wizardAll.wall.max), b.wizardAll.wall.n],
    ['  a pressed (the screen offers it)', ms(r.medians.wizardAllKeyAtMs), ms(b.wizardAll.keyAtMs.min), ms(b.wizardAll.keyAtMs.max), b.wizardAll.keyAtMs.n],
    ['  a → diagnosis on screen', ms(r.medians.wizardAllAfterKeyMs), ms(b.wizardAll.afterKeyMs.min), ms(b.wizardAll.afterKeyMs.max), b.wizardAll.afterKeyMs.n],
    [`manual ladder (${b.manual.probes} probes)${b.manual.incompleteRuns.length ? `, ${b.manual.incompleteRuns.length} incomplete run(s) not counted` : ''}`, ms(r.medians.manualMs), ms(b.manual.wall.min), ms(b.manual.wall.max), b.manual.wall.n],
    [`floor (slowest attach + 1 probe)${b.floor.uncountedRuns.length ? `, ${b.floor.uncountedRuns.length} run(s) not counted` : ''}`, ms(r.medians.floorMs), ms(b.floor.wall.min), ms(b.floor.wall.max), b.floor.wall.n],
    ['  probe round trip', ms(b.floor.probeMs.median), ms(b.floor.probeMs.min), ms(b.floor.probeMs.max), b.floor.probeMs.n],
    ...Object.entries(b.floor.attachMs).map(([k, v]) => [`  attach ${k}`, ms(v), '', '', '']),
    ['xdp-doctor --version', ms(r.medians.versionMs), ms(b.startup.versionMs.min), ms(b.startup.versionMs.max), b.startup.versionMs.n],
    ['node -e 0', ms(r.medians.nodeMs), ms(b.startup.nodeMs.min), ms(b.startup.nodeMs.max), b.startup.nodeMs.n],
    ["wizard: Ink's first frame (tmux)", ms(r.medians.wizardInkFrameMs), ms(b.startup.wizardInkFrameMs.min), ms(b.startup.wizardInkFrameMs.max), b.startup.wizardInkFrameMs.n],
    ['  splash line, painted before Ink loads', ms(r.medians.wizardSplashMs), ms(b.startup.wizardSplashMs.min), ms(b.startup.wizardSplashMs.max), b.startup.wizardSplashMs.n],
    ['  tmux + node, print at once', ms(r.medians.tmuxNodeFirstFrameMs), '', '', ''],
    ['peak RSS, node process (VmHWM)', mb(r.medians.nodePeakRssKb), '', mb(r.maxNodePeakRssKb), b.ladder.wall.n],
    ['peak RSS, node + children (sampled sum)', mb(r.medians.treePeakRssKb), '', '', ''],
  ];
  const targets = r.targets.map((t) => [t.name, String(t.value ?? '-'), `${t.op ?? '<='} ${t.limit}`, t.ok === undefined ? '?' : t.ok ? 'ok' : 'MISSED']);
  const ladderRows = [
    ['outside runLadder (start-up, target, output)', ms(b.ladder.outsideLadderMs.median)],
    ['ladder start → probe fires', ms(b.ladder.toProbeMs.median)],
    ["  the same in the wizard's a", ms(b.wizardAll.toProbeMs.median)],
    ['probe', ms(b.ladder.probeMs.median)],
    ...Object.entries(b.ladder.checkMs).map(([k, v]) => [`  rung ${k}`, ms(v)]),
  ];
  const manualRows = Object.entries(b.manual.stepMs).map(([k, v]) => [k, ms(v)]);
  return [
    ...(r.distChangedDuringRun ? ['WARNING: dist/ was rebuilt during this run; the figures mix two builds.', ''] : []),
    `xdp-doctor bench — ${r.machine.cpus} cores, Linux ${r.machine.kernel}, Node ${r.machine.node}, ${r.reps} reps, ` +
      `git ${r.git.commit ?? '?'}${r.git.dirty ? ' (dirty)' : ''}, lab ${r.lab.name} (${r.lab.faults.join(', ')})`,
    '',
    table(rows, ['measure', 'median', 'min', 'max', 'n']),
    '',
    table(targets, ['target', 'value', 'limit', '']),
    '',
    table(ladderRows, ['xdp-doctor run, medians', '']),
    '',
    table(manualRows, ['manual ladder steps, medians', '']),
    '',
    r.scenarios ? `per lab scenario (${scenarioReps} reps each): the ladder against the probe alone, medians\n${faultsTable(r.scenarios)}\n` : '',
    r.imports ? table(Object.entries(r.imports).map(([k, v]) => [k, String(v.modules), v.loadsInkOrReact ? 'YES' : 'no']), ['imports', 'modules', 'Ink/React']) : '',
    '',
  ].join('\n');
}

/** "1 probe", "1, 1, 2 probes" or "probes ?" for a list of per-run counts. */
function probeWords(list = []) {
  const known = list.filter((p) => typeof p === 'number');
  if (!known.length) return 'probes ?';
  const same = known.every((p) => p === known[0]);
  const text = same ? String(known[0]) : known.join(', ');
  return `${text} probe${same && known[0] === 1 ? '' : 's'}${known.length < list.length ? ', some not counted' : ''}`;
}

let code = 0;
try {
  const result = await main();
  const text = render(result);
  if (!result.breakdown.ladder.countedRuns) {
    log(`no ladder run reached the expected conclusion (${JSON.stringify(result.lab.expected)}): the ladder was not measured`);
    code = 1;
  }
  if (!result.breakdown.wizardAll.countedRuns) {
    log(`no run of the wizard's a reached the expected conclusion (${JSON.stringify(result.lab.expected)}): it was not measured`);
    code = 1;
  }
  for (const [name, sc] of Object.entries(result.scenarios ?? {})) {
    if (!sc.counted) { log(`scenario ${name}: no ladder run reached the expected conclusion (${sc.notCounted.join('; ')})`); code = 1; }
  }
  if (values.json) {
    writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    process.stdout.write(text);
  } else {
    process.stderr.write(text);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  }
} catch (e) {
  log(`failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
  code = 1;
} finally {
  await cleanup();
}
process.exit(code);
