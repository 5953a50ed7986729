#!/usr/bin/env node
// xdp-doctor on every node of a cluster, one Job per node (job-per-node.yaml), the reports collected from the pods'
// logs into DIR/<node>.json and merged into DIR/fleet.json and DIR/fleet.md by `xdp-doctor merge`.
//
//   node examples/kubernetes/collect.mjs [--out DIR] [--namespace NS] [--image IMAGE] [--selector LABEL=VALUE]
//        [--merge-with BIN] [--timeout SECONDS] -- [xdp-doctor arguments, e.g. --iface eth0 --probe "nc -z 10.0.0.1 80"]
//
// Needs kubectl with a context that may create Jobs with privileged pods in NS. Every command is an argument
// vector (no shell). A node whose pod exits 0 or 1 has a report (1 is a diagnosis); any other exit, or no report
// in the log, is that node's failure, printed with its reason, and the script exits 2 after merging the rest.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));

/** job-per-node.yaml is JSON behind '#' comment lines (JSON is YAML): the comments go, the rest is JSON.parse'd. */
export function readManifest(text) {
  return JSON.parse(text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n'));
}

/** A Job name for a node: DNS-1123, at most 63 characters, unique per run by the stamp. */
export function jobNameFor(node, stamp) {
  const safe = node.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return `xdp-doctor-${safe}`.slice(0, 62 - stamp.length).replace(/-+$/, '') + `-${stamp}`;
}

/** The template made into one node's Job: its name, node, image and the doctor's arguments (--json first). */
export function jobFor(template, { node, name, image, args }) {
  const job = structuredClone(template);
  job.metadata.name = name;
  const pod = job.spec.template.spec;
  pod.nodeName = node;
  const container = pod.containers[0];
  if (image) container.image = image;
  container.args = ['--json', ...args.filter((a) => a !== '--json')];
  return job;
}

/**
 * The report in a pod's log: `xdp-doctor --json` prints it as one indented document, from a line "{" to a line
 * "}"; anything before or after (a message on stderr, which the log interleaves) is left out.
 */
export function reportFromLog(log) {
  const lines = log.split('\n');
  const start = lines.indexOf('{');
  const end = lines.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    return JSON.parse(lines.slice(start, end + 1).join('\n'));
  } catch {
    return undefined;
  }
}

function run(argv, input) {
  return new Promise((resolvePromise) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr += b; });
    child.on('error', (e) => resolvePromise({ code: 127, stdout, stderr: e.message }));
    child.on('close', (code) => resolvePromise({ code: code ?? 128, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function kubectl(ns, args, input) {
  const r = await run(['kubectl', '-n', ns, ...args], input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/** Waits for the Job to end; the pod's exit code, or why there is none. */
async function waitFor(ns, name, deadline) {
  while (Date.now() < deadline) {
    const job = JSON.parse(await kubectl(ns, ['get', 'job', name, '-o', 'json']));
    if (job.status?.succeeded || job.status?.failed) {
      const pods = JSON.parse(await kubectl(ns, ['get', 'pods', '-l', `job-name=${name}`, '-o', 'json']));
      const code = pods.items?.[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
      return typeof code === 'number' ? { code } : { error: 'the pod ended without an exit code' };
    }
    await sleep(2000);
  }
  return { error: 'timed out' };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string', default: './xdp-doctor-reports' }, namespace: { type: 'string', default: 'default' },
      image: { type: 'string' }, selector: { type: 'string' }, 'merge-with': { type: 'string', default: 'xdp-doctor' },
      timeout: { type: 'string', default: '300' },
    },
  });
  const out = resolve(values.out);
  const ns = values.namespace;
  mkdirSync(out, { recursive: true });
  const template = readManifest(readFileSync(join(HERE, 'job-per-node.yaml'), 'utf8'));
  const nodes = JSON.parse(await kubectl(ns, ['get', 'nodes', '-o', 'json', ...(values.selector ? ['-l', values.selector] : [])]))
    .items.map((n) => n.metadata.name);
  const stamp = Date.now().toString(36);
  // Every node's Job first, so the nodes run at once; then each is awaited and collected.
  const jobs = [];
  for (const node of nodes) {
    const name = jobNameFor(node, stamp);
    await kubectl(ns, ['create', '-f', '-'], JSON.stringify(jobFor(template, { node, name, image: values.image, args: positionals })));
    jobs.push({ node, name });
  }
  const deadline = Date.now() + Number(values.timeout) * 1000;
  let failed = 0;
  for (const { node, name } of jobs) {
    const end = await waitFor(ns, name, deadline);
    const log = await kubectl(ns, ['logs', `job/${name}`]).catch((e) => `${e.message}\n`);
    const report = reportFromLog(log);
    if ('code' in end && (end.code === 0 || end.code === 1) && report) {
      writeFileSync(join(out, `${node}.json`), `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`${node}: exit ${end.code}${report.diagnosis?.[0] ? `, ${report.diagnosis[0].cause}` : ''}\n`);
    } else {
      failed++;
      const why = 'error' in end ? end.error : `exit ${end.code}`;
      process.stderr.write(`${node}: xdp-doctor could not run (${why}): ${log.trim().split('\n').slice(-3).join(' / ')}\n`);
    }
    await kubectl(ns, ['delete', 'job', name, '--wait=false']).catch(() => undefined);
  }
  const merge = await run([values['merge-with'], 'merge', out, '--report', join(out, 'fleet.json'), '--report', join(out, 'fleet.md')]);
  process.stdout.write(merge.stdout);
  process.stderr.write(merge.stderr);
  process.exitCode = failed || merge.code === 2 ? 2 : merge.code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e) => { process.stderr.write(`collect: ${e.message}\n`); process.exitCode = 2; });
}
