// The fleet over real SSH and real Ansible: three hosts, each a network namespace with its own sshd on a veth to
// a controller namespace and its own XDP program (a healthy counter; an XDP_TX echo responder whose veth peer has
// no XDP program; an allow-list filter that drops everything). examples/ansible/xdp-doctor.yml runs the built
// doctor on each over SSH with a key made for the test, brings the reports home and merges them; the merged
// report must name each host's top cause and group them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI, ROOT, requireLabEnvironment } from './helpers/cli.js';
import { fleetDown, fleetUp, type Fleet } from './helpers/fleet-hosts.js';

const PROGRAMS = [{ program: 'zoo_count_pass' }, { program: 'zoo_icmp_echo' }, { program: 'zoo_allowlist' }];
const EXPECTED_TOP = { h0: null, h1: 'veth-peer-no-xdp', h2: 'xdp-drop-verdict' } as const;

let dir: string;
let fleet: Fleet;

beforeAll(async () => {
  await requireLabEnvironment();
  for (const bin of ['/usr/bin/ansible-playbook', '/usr/sbin/sshd', '/usr/bin/ssh-keygen']) {
    const r = await execa('test', ['-x', bin], { reject: false });
    if (r.exitCode !== 0) throw new Error(`${bin} missing: run npm run setup (it installs ansible-core and openssh-server)`);
  }
  dir = mkdtempSync(join(tmpdir(), 'xdpd-fleet-'));
  fleet = await fleetUp(dir, PROGRAMS);
});

afterAll(async () => {
  await fleetDown(PROGRAMS.length);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The inventory: each host's address, the test's key, and the doctor's arguments for that host as a YAML list. */
function inventory(f: Fleet): string {
  const lines = ['all:', '  hosts:'];
  for (const h of f.hosts) {
    const args = ['--iface', h.zoo.iface, '--probe', `ping -c 3 -i 0.2 -W 1 ${h.zoo.serverIp}`, '--probe-netns', h.zoo.client, '--skip', 'trace-pipe'];
    lines.push(`    ${h.name}:`, `      ansible_host: ${h.address}`, '      xdp_doctor_args:', ...args.map((a) => `        - ${JSON.stringify(a)}`));
  }
  lines.push('  vars:', '    ansible_user: root', `    ansible_ssh_private_key_file: ${JSON.stringify(f.key)}`,
    '    ansible_python_interpreter: /usr/bin/python3',
    // The doctor as built in this checkout: node and its CLI (the package's bin is the same file).
    '    xdp_doctor_bin:', `      - ${JSON.stringify(process.execPath)}`, `      - ${JSON.stringify(CLI)}`);
  return `${lines.join('\n')}\n`;
}

async function playbook(inv: string, reports: string) {
  const env = {
    // Everything Ansible keeps goes to the test's directory; no ssh master outlives its task (ControlMaster=no).
    ANSIBLE_HOME: join(dir, 'ansible-home'), ANSIBLE_LOCAL_TEMP: join(dir, 'ansible-local'), ANSIBLE_REMOTE_TEMP: join(dir, 'ansible-remote'),
    ANSIBLE_SSH_ARGS: '-o ControlMaster=no -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o ConnectTimeout=10',
    ANSIBLE_HOST_KEY_CHECKING: 'False', ANSIBLE_NOCOLOR: '1', ANSIBLE_RETRY_FILES_ENABLED: 'False',
    // The hosts share one kernel here (unlike a fleet): one doctor at a time, so no run reads another's tracepoints.
    ANSIBLE_FORKS: '1',
  };
  return execa('nsenter', [`--net=/run/netns/${fleet.controller}`, '--', 'ansible-playbook', '-i', inv,
    join(ROOT, 'examples', 'ansible', 'xdp-doctor.yml'), '-e', `xdp_doctor_reports_dir=${reports}`,
    // The merge runs on the controller (implicit localhost, outside the inventory's groups): its doctor by -e.
    '-e', JSON.stringify({ xdp_doctor_merge_bin: [process.execPath, CLI] })],
  { cwd: dir, env, reject: false, timeout: 240_000, stdin: 'ignore' });
}

describe('xdp-doctor on a fleet through Ansible over SSH', () => {
  test('each host\'s report comes home as <host>.json; fleet.json names each top cause and groups them', async () => {
    const inv = join(dir, 'inventory.yml');
    writeFileSync(inv, inventory(fleet));
    const reports = join(dir, 'reports');
    const r = await playbook(inv, reports);
    const said = `${r.stdout}\n${r.stderr}`.slice(-4000);
    // XDP_DOCTOR_FLEET_KEEP=DIR keeps what the playbook made and printed (docs/fleet.md's example comes from there).
    const keep = process.env.XDP_DOCTOR_FLEET_KEEP;
    if (keep) { cpSync(reports, keep, { recursive: true }); writeFileSync(join(keep, 'ansible-playbook.out'), r.stdout); }
    // Hosts where the doctor exited 1 are not Ansible failures: the play succeeds.
    expect(r.exitCode, said).toBe(0);
    expect(readdirSync(reports).sort()).toEqual(['fleet.json', 'fleet.md', 'h0.json', 'h1.json', 'h2.json']);

    for (const h of fleet.hosts) {
      const report = JSON.parse(readFileSync(join(reports, `${h.name}.json`), 'utf8'));
      // The doctor ran on that host: its program, on its interface, in its namespace.
      expect(report.host.program.id, h.name).toBe(h.zoo.progId);
      expect(report.host.nic).toMatchObject({ iface: 'zs0', driver: 'veth' });
      expect(report.checks.filter((c: any) => c.status === 'error').map((c: any) => c.summary), h.name).toEqual([]);
    }

    const merged = JSON.parse(readFileSync(join(reports, 'fleet.json'), 'utf8'));
    expect(Object.fromEntries(merged.hosts.map((h: any) => [h.host, h.topCause]))).toEqual(EXPECTED_TOP);
    expect(merged.hosts.map((h: any) => [h.host, h.exitCode])).toEqual([['h0', 0], ['h1', 1], ['h2', 1]]);
    const hostsOf = (cause: string) => merged.causes.find((c: any) => c.cause === cause)?.hosts;
    expect(hostsOf('veth-peer-no-xdp')).toEqual(['h1']);
    expect(hostsOf('xdp-drop-verdict')).toEqual(['h2']);
    expect(merged.healthy).toEqual(['h0']);
    expect(merged.failing).toEqual(['h1', 'h2']);
    expect(merged.exitCode).toBe(1);
    // Three programs: the tag tells them apart, and the merge says so.
    expect(merged.differences.map((d: any) => d.attribute)).toContain('program tag');
    expect(readFileSync(join(reports, 'fleet.md'), 'utf8')).toMatch(/\| ✗ \| h2 \| 1 \| `xdp-drop-verdict` \|/);
    expect(r.stdout).toMatch(/h1 +exit 1 +veth-peer-no-xdp/);
  });

  test('a host that cannot run the doctor fails in Ansible with the reason; the others still report and merge', async () => {
    const inv = join(dir, 'inventory-broken.yml');
    // h2's doctor is a program that does not exist there.
    writeFileSync(inv, inventory(fleet).replace(/(    h2:\n)/, `$1      xdp_doctor_bin: /nonexistent/xdp-doctor\n`));
    const reports = join(dir, 'reports-broken');
    const r = await playbook(inv, reports);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toMatch(/xdp-doctor could not run on h2 \(exit 2\): .*nonexistent/);
    expect(readdirSync(reports).sort()).toEqual(['fleet.json', 'fleet.md', 'h0.json', 'h1.json']);
    expect(JSON.parse(readFileSync(join(reports, 'fleet.json'), 'utf8')).hosts.map((h: any) => h.host)).toEqual(['h0', 'h1']);
  });
});
