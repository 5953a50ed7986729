#!/usr/bin/env node
// npm run test:mutation [-- --changed [BASE] | --held | FILE...]
//   no argument: every decision file (scripts/mutation-files.mjs); --changed: only those that differ from BASE
//   (default main: committed, staged or not); --held: the files already at the floor (HELD_FILES, what .ci/run
//   mutates); FILE...: those files. Runs StrykerJS on the unit project and fails
//   when any mutated file scores under 80% — per file, since a well-tested file must not hide a bare one.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DECISION_FILES, HELD_FILES } from './mutation-files.mjs';

const FLOOR = 80;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const reportPath = join(root, 'reports/mutation/mutation.json');

function git(...args) {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.split('\n').filter(Boolean);
}

// The decision files as paths (the globs expanded by git, which knows what is tracked).
function decisionFiles() {
  const include = DECISION_FILES.filter((p) => !p.startsWith('!'));
  const exclude = new Set(DECISION_FILES.filter((p) => p.startsWith('!')).map((p) => p.slice(1)));
  return git('ls-files', '--', ...include).filter((f) => !exclude.has(f));
}

export function pickFiles(argv, all, changedAgainst, held = HELD_FILES) {
  if (argv[0] === '--held') return held;
  if (argv[0] === '--changed') {
    const changed = new Set(changedAgainst(argv[1] ?? 'main'));
    return all.filter((f) => changed.has(f));
  }
  if (argv.length) return argv;
  return all;
}

/** Per-file scores from Stryker's JSON report: detected (killed, timed out) over detected and undetected
 * (survived, no coverage); compile and runtime errors and ignored mutants count for neither, as in Stryker's own. */
export function scores(report) {
  return Object.entries(report.files).map(([file, { mutants }]) => {
    const count = (...s) => mutants.filter((m) => s.includes(m.status)).length;
    const detected = count('Killed', 'Timeout');
    const undetected = count('Survived', 'NoCoverage');
    const total = detected + undetected;
    return { file, detected, survived: count('Survived'), noCoverage: count('NoCoverage'), total,
      score: total ? (100 * detected) / total : 100 };
  });
}

function main() {
  const all = decisionFiles();
  const files = pickFiles(process.argv.slice(2), all, (base) => [
    ...git('diff', '--name-only', `${base}...HEAD`), ...git('diff', '--name-only', 'HEAD'),
  ]);
  if (!files.length) {
    console.log('test:mutation: no decision file changed; nothing to mutate');
    return 0;
  }
  rmSync(reportPath, { force: true });
  const stryker = join(root, 'node_modules/.bin/stryker');
  // One worker by default (the other suites share the two cores); CI runs it alone and gives it both.
  const workers = process.env.XDP_DOCTOR_MUTATION_WORKERS;
  const run = spawnSync(stryker, ['run', '--mutate', files.join(','), ...(workers ? ['--concurrency', workers] : [])], { cwd: root, stdio: 'inherit' });
  if (run.status !== 0 || !existsSync(reportPath)) {
    console.error(`test:mutation: stryker exited ${run.status ?? run.signal}`);
    return 1;
  }
  const rows = scores(JSON.parse(readFileSync(reportPath, 'utf8')));
  let failed = 0;
  for (const r of rows.sort((a, b) => a.score - b.score)) {
    const bad = r.score < FLOOR;
    if (bad) failed++;
    console.log(`${bad ? 'FAIL' : 'ok  '} ${r.score.toFixed(1).padStart(5)}%  ${r.detected}/${r.total}` +
      `  (${r.survived} survived, ${r.noCoverage} no coverage)  ${r.file}`);
  }
  if (failed) console.error(`test:mutation: ${failed} file(s) under ${FLOOR}%; see reports/mutation/mutation.json`);
  return failed ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
