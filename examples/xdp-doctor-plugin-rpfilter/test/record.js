// @ts-check
// Records what rpfilter/asymmetric runs against a live target, for the tests to replay.
//
//   npx xdp-doctor --lab --checks preflight --json > /tmp/run.json      # any run: its report holds the target
//   node test/record.js /tmp/run.json g2-strict                          # → test/recordings/g2-strict.json
//   node test/record.js /tmp/run.json g2-ignored '{"ignore":["gw/g2"]}'  # with plugin options
//
// Runs as root, like xdp-doctor. The recording keeps every command's argv, namespace, output and exit code, the
// target and the probe's outcome; test/cases.js turns each one into a test case.
import { readFileSync, writeFileSync } from 'node:fs';
import { recordCheck } from 'xdp-doctor/testing';
import { rpFilterCheck } from '../rp-filter.js';

const [reportPath, scenario, optionsJson] = process.argv.slice(2);
if (!reportPath || !scenario || !/^[a-z0-9-]+$/.test(scenario)) {
  console.error('usage: node test/record.js REPORT.json SCENARIO-NAME [OPTIONS-JSON]');
  process.exit(2);
}
const target = JSON.parse(readFileSync(reportPath, 'utf8')).target;
const options = optionsJson ? JSON.parse(optionsJson) : undefined;
const { run, recordings, probe } = await recordCheck(rpFilterCheck, { target, options });
const out = new URL(`./recordings/${scenario}.json`, import.meta.url);
writeFileSync(out, `${JSON.stringify({ recordedAt: new Date().toISOString(), options, target, probe, recordings, result: run.result }, null, 2)}\n`);
console.log(`${scenario}: ${run.result.status}: ${run.result.summary}\n→ ${out.pathname}`);
