// examples/kubernetes/: no cluster runs here, so the manifests' structure is checked instead — the Job a node gets
// is privileged on the host's network and PIDs with bpffs, tracefs and debugfs mounted, the image installs every
// tool the ladder runs (the package table in src/tools/packages.ts), and collect.mjs's pure parts do what they say.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SYSTEM_PACKAGES, BPF_BUILD_NEEDS } from '../../src/tools/packages.js';
import { recording } from './helpers/recordings.js';

const DIR = fileURLToPath(new URL('../../examples/kubernetes/', import.meta.url));
const text = (name: string) => readFileSync(`${DIR}${name}`, 'utf8');
// A computed specifier: the example is plain JavaScript without types, loaded as any.
const collect = () => import(`${DIR}collect.mjs`) as Promise<any>;

describe('job-per-node.yaml', () => {
  it('is a Job for one node: privileged, host network and PIDs, never restarted, bpffs/tracefs/debugfs from the host', async () => {
    const job = (await collect()).readManifest(text('job-per-node.yaml'));
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { backoffLimit: 0 } });
    const pod = job.spec.template.spec;
    expect(pod).toMatchObject({ hostNetwork: true, hostPID: true, restartPolicy: 'Never', nodeName: expect.any(String) });
    const [c] = pod.containers;
    expect(c.securityContext.privileged).toBe(true);
    expect(c.args[0]).toBe('--json');
    const volumes = new Map(pod.volumes.map((v: any) => [v.name, v.hostPath?.path]));
    const mounts = new Map(c.volumeMounts.map((m: any) => [m.mountPath, volumes.get(m.name)]));
    for (const path of ['/sys/fs/bpf', '/sys/kernel/tracing', '/sys/kernel/debug', '/run/netns']) expect(mounts.get(path), path).toBe(path);
    // Every mount names a volume that exists.
    for (const m of c.volumeMounts) expect(volumes.has(m.name), m.name).toBe(true);
    expect(c.volumeMounts.find((m: any) => m.mountPath === '/sys/fs/bpf').mountPropagation).toBe('Bidirectional');
  });
});

describe('Containerfile', () => {
  it('is Debian bookworm with Node 20 and installs every Debian package of the tools the ladder runs', () => {
    const file = text('Containerfile');
    expect(file).toMatch(/^ARG BASE=\S+:20-bookworm/m);
    expect(file).toMatch(/^FROM \$\{BASE\}$/m);
    const install = /apt-get install[^\n]*\n((?:.*\\\n)*.*)/.exec(file)?.[0] ?? '';
    const runTools = Object.keys(SYSTEM_PACKAGES).filter((t) => !BPF_BUILD_NEEDS.includes(t));
    for (const tool of runTools) expect(install, tool).toContain(` ${SYSTEM_PACKAGES[tool]!.debian} `);
    expect(file).toMatch(/npm install -g .*xdp-doctor-\*\.tgz/);
    expect(file).toMatch(/^ENTRYPOINT \["xdp-doctor"\]$/m);
  });
});

describe('collect.mjs', () => {
  it('makes one node\'s Job from the template without changing the template', async () => {
    const c = await collect();
    const template = c.readManifest(text('job-per-node.yaml'));
    const before = JSON.stringify(template);
    const job = c.jobFor(template, { node: 'worker-1', name: 'xdp-doctor-worker-1-abc', image: 'registry.local/xdp-doctor:0.1.0', args: ['--iface', 'eth1', '--json'] });
    expect(job.metadata.name).toBe('xdp-doctor-worker-1-abc');
    expect(job.spec.template.spec.nodeName).toBe('worker-1');
    expect(job.spec.template.spec.containers[0].image).toBe('registry.local/xdp-doctor:0.1.0');
    expect(job.spec.template.spec.containers[0].args).toEqual(['--json', '--iface', 'eth1']);
    expect(JSON.stringify(template)).toBe(before);
  });

  it('names Jobs as Kubernetes allows (DNS-1123, 63 characters at most)', async () => {
    const { jobNameFor } = await collect();
    expect(jobNameFor('Worker_1.example.com', 'mabc12')).toBe('xdp-doctor-worker-1-example-com-mabc12');
    const long = jobNameFor('n'.repeat(80), 'mabc12');
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('finds the report in a pod log, around what stderr added (a real --json report, recorded here)', async () => {
    const { reportFromLog } = await collect();
    const report = recording('reports/lab-veth-peer.json');
    const log = `xdp-doctor: a message on stderr\n${report}`;
    expect(reportFromLog(log).diagnosis[0].cause).toBe('veth-peer-no-xdp');
    expect(reportFromLog(recording('reports/lab-veth-peer-cut-at-20000-bytes.json'))).toBeUndefined();
    expect(reportFromLog('Error from server (NotFound): jobs.batch "x" not found\n')).toBeUndefined();
  });
});
