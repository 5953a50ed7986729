// Real programs that are not the lab's (test/zoo/*.c), each on a two-namespace veth setup of its own, through
// the built CLI as root on the real kernel. Each scenario asserts its top cause (or exit 0 when healthy) and
// that no rung ends in `error`. Nothing here is the lab: its map names, addresses and interfaces are the zoo's.
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { join } from 'node:path';
import { ROOT, reportOf, runCli } from './helpers/cli.js';
import { zooArgs, zooDown, zooMapUpdate, zooUp, type ZooSetup } from './helpers/zoo.js';
import { captureFilterOf } from '../../src/probe-flow.js';

const TAG = 'z';

async function doctor(z: ZooSetup, extra: string[] = ['--skip', 'trace-pipe'], probeIp?: string) {
  return reportOf(await runCli(zooArgs(z, extra, probeIp)));
}

afterEach(async () => { await zooDown(TAG); });
afterAll(async () => { await zooDown(TAG); });

describe('the zoo: small XDP programs of our own', () => {
  test('healthy per-CPU counter: exit 0, nothing wrong, the peer risk a note with no fix', async () => {
    const z = await zooUp(TAG, { program: 'zoo_count_pass' });
    const { exitCode, report, byId, errored } = await doctor(z);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.probe.ok).toBe(true);
    expect(report.diagnosis).toEqual([]);
    expect(report.notes.map((n: any) => n.cause)).toContain('veth-peer-no-xdp');
    expect(byId['map-dump'].status).toBe('pass');
    expect(byId['map-dump'].summary).toMatch(/pkt_count \(percpu_array\): 1 entry, sum \d+/);
    expect(JSON.stringify(byId['map-dump'].evidence)).toMatch(/cpu0=\d+ cpu1=\d+/);
    expect(byId.routing.summary).toMatch(/replies came back/);
    expect(byId.xdpdump.summary).toMatch(/XDP_PASS ×3/);
  });

  test('filter with an empty allow-list: the program drops the probe, joined with the empty map and the counters', async () => {
    const z = await zooUp(TAG, { program: 'zoo_allowlist' });
    // trace-pipe runs here: its normal path (the program's own format strings) on a program that is not the lab's.
    const { exitCode, report, byId, errored, causes } = await doctor(z, []);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-drop-verdict');
    expect(causes).not.toContain('veth-peer-no-xdp');
    const top = report.diagnosis[0];
    const said = top.evidence.map((e: any) => `${e.check}: ${e.message}`).join('\n');
    expect(said).toMatch(/xdpdump: allowlist \(id \d+\) returned XDP_DROP for 3 of 3 probe packet\(s\) to 10\.111\.60\.2/);
    expect(said).toMatch(/map-dump: allowed_sources \(hash, up to 256 entries\) is empty/);
    expect(said).toMatch(/ethtool-stats: zs0 counted xdp_drops \+3/);
    expect(byId.routing.status).toBe('fail');
    expect(byId.routing.summary).toMatch(/reached zs0 \(XDP\).*no reply came back/);
    expect(byId['trace-pipe'].status, byId['trace-pipe'].summary).toBe('pass');
    expect(byId['trace-pipe'].summary).toMatch(/3 line\(s\) from the program: "allowlist: drop from %x" ×3/);
  });

  test('no probe: the flow named with --flow is watched, and the program\'s drops of it are the cause', async () => {
    const z = await zooUp(TAG, { program: 'zoo_allowlist' });
    // Real traffic, not a probe: a bounded ping in the client, started before the window and ending after it.
    const traffic = execa('ip', ['netns', 'exec', z.client, 'ping', '-c', '25', '-i', '0.2', '-W', '1', z.serverIp], { reject: false });
    try {
      const r = await runCli(['--iface', z.iface, '--netns', z.server, '--flow', `icmp:${z.serverIp}`, '--window', '3000', '--skip', 'trace-pipe', '--json']);
      const report = JSON.parse(r.stdout);
      expect(report.probe?.ran ?? false).toBe(false);
      expect(report.checks.filter((c: any) => c.status === 'error')).toEqual([]);
      expect(report.diagnosis[0].cause).toBe('xdp-drop-verdict');
      const route = report.checks.find((c: any) => c.id === 'routing');
      // The flow and the ARP about its address: a filter that drops ARP stops the flow before its first packet.
      const filter = captureFilterOf({ ip: z.serverIp, proto: 'icmp' });
      expect(filter).toEqual(expect.arrayContaining(['arp', 'and', 'host', z.serverIp]));
      expect(route.commands.find((a: string[]) => a.includes('tcpdump') && a.includes('-i')).slice(-filter.length)).toEqual(filter);
      expect(r.exitCode).toBe(1);
    } finally {
      traffic.kill();
      await traffic;
    }
  });

  test('devmap redirect with every slot empty: XDP_ABORTED, explained by the empty devmap', async () => {
    const z = await zooUp(TAG, { program: 'zoo_devmap' });
    const { exitCode, report, byId, errored, causes } = await doctor(z);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes).toEqual(['xdp-aborted']);
    const said = report.diagnosis[0].evidence.map((e: any) => `${e.check}: ${e.message}`).join('\n');
    expect(said).toMatch(/map-dump: tx_ports \(devmap\): all 4 slots are empty/);
    expect(said).toMatch(/tracepoints: xdp:xdp_exception XDP_ABORTED fired 3×/);
    expect(JSON.stringify(byId['map-dump'].evidence)).toContain('[0] empty');
  });

  test('devmap redirect to a veth whose peer cannot take XDP frames: the redirect error names that device', async () => {
    const z = await zooUp(TAG, { program: 'zoo_devmap', redirectTarget: true });
    const { stdout } = await execa('ip', ['-n', z.server, '-j', 'link', 'show', 'zr0']);
    await zooMapUpdate(z.maps.tx_ports!, 0, [JSON.parse(stdout)[0].ifindex, 0, 0, 0]);
    const { exitCode, report, errored, causes } = await doctor(z);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-redirect-error');
    expect(report.diagnosis[0].errno).toEqual({ value: 95, name: 'EOPNOTSUPP' });
    expect(JSON.stringify(report.diagnosis[0])).toContain('zr0');
  });

  test('xskmap with no AF_XDP socket bound: XDP_ABORTED, explained by the socket-less xskmap', async () => {
    const z = await zooUp(TAG, { program: 'zoo_xskmap' });
    const { exitCode, report, byId, errored, causes } = await doctor(z);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-aborted');
    expect(JSON.stringify(report.diagnosis[0].evidence)).toMatch(/xsks \(xskmap\): no AF_XDP socket is open/);
    expect(JSON.stringify(byId['map-dump'].evidence)).toContain('not readable from user space (Operation not supported)');
  });

  test('tail call into an empty prog_array slot: the fall-through XDP_DROP, explained by the empty table', async () => {
    const z = await zooUp(TAG, { program: 'zoo_tailcall' });
    const { exitCode, report, errored, causes } = await doctor(z);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-drop-verdict');
    expect(JSON.stringify(report.diagnosis[0].evidence)).toMatch(/jump_table \(prog_array\) holds no program in any of its 4 slots/);
  });

  // The probe runs on the XDP side (the server pings the client): its echo requests leave through zs0, which XDP
  // never sees; the replies come back into zs0 and the empty allow-list drops them. Expected: xdp-drop-verdict at
  // diagnosis[0] naming the replies and why the requests were never seen; the route starts at the sender, zs0, and
  // says the replies left zc0 and never reached zs0. Exit 1, no rung in error.
  test('a probe from the XDP side: only the replies pass the program, and the answer says so', async () => {
    const z = await zooUp(TAG, { program: 'zoo_allowlist' });
    const r = reportOf(await runCli(['--iface', z.iface, '--netns', z.server, '--probe', `ping -c 3 -i 0.2 -W 1 ${z.clientIp}`, '--probe-netns', z.server, '--json', '--skip', 'trace-pipe']));
    expect(r.errored).toEqual([]);
    expect(r.exitCode).toBe(1);
    expect(r.causes[0]).toBe('xdp-drop-verdict');
    expect(r.said).toMatch(/allowlist \(id \d+\) returned XDP_DROP for 3 of 3 reply packet\(s\) from 10\.111\.60\.1 \(the probe's requests leave through zs0 and never pass the program, which sees only what zs0 receives\)/);
    expect(r.byId.routing.summary).toMatch(/requests went through to zc0 .*; replies were last seen on zc0 .* and did not reach zs0/);
    expect(r.report.route.hops.map((h: any) => h.iface)).toEqual(['zs0', 'zc0']);
  });

  test('generic (SKB) mode: the driver counters say they cannot see it; the verdicts still find the drop', async () => {
    const z = await zooUp(TAG, { program: 'zoo_allowlist', mode: 'xdpgeneric' });
    const { exitCode, byId, errored, causes } = await doctor(z);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(byId.inventory.summary).toMatch(/generic on zs0/);
    expect(byId['ethtool-stats'].status).toBe('skip');
    expect(byId['ethtool-stats'].summary).toMatch(/generic \(SKB\) mode: the driver's XDP counters count native XDP only/);
    expect(causes[0]).toBe('xdp-drop-verdict');
  });

  test('a VIP written in host byte order: the program passes the probe untouched, and the map says why', async () => {
    const z = await zooUp(TAG, { program: 'zoo_vip_echo' });
    // 10.111.60.99 lives on no interface: only the program answers it. The loader's bug: host order (0x0a6f3c63).
    await zooMapUpdate(z.maps.vip_config!, 0, [0x63, 0x3c, 0x6f, 0x0a, 0, 0, 0, 0]);
    const mac = JSON.parse((await execa('ip', ['-n', z.server, '-j', 'link', 'show', z.iface])).stdout)[0].address;
    await execa('ip', ['-n', z.client, 'neigh', 'add', '10.111.60.99', 'lladdr', mac, 'dev', z.peer]);
    const { exitCode, report, errored, causes } = await doctor(z, ['--skip', 'trace-pipe'], '10.111.60.99');
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-passed-unchanged');
    const said = report.diagnosis[0].evidence.map((e: any) => `${e.check}: ${e.message}`).join('\n');
    expect(said).toMatch(/xdpdump: vip_echo \(id \d+\) returned XDP_PASS for all 3 probe packet\(s\) to 10\.111\.60\.99 and left them unchanged/);
    expect(said).toMatch(/map-dump: vip_config\.vip holds the probe's destination 10\.111\.60\.99 in host byte order \(175062115 = 0x0a6f3c63\)/);
    // Written in network byte order, the program answers and the run is healthy.
    await zooMapUpdate(z.maps.vip_config!, 0, [0x0a, 0x6f, 0x3c, 0x63, 0, 0, 0, 0]);
    await execa('ip', ['-n', z.client, 'link', 'set', 'dev', z.peer, 'xdpdrv', 'obj', join(ROOT, 'bpf', 'build', 'xdp_pass.o'), 'sec', 'xdp']);
    const healthy = await doctor(z, ['--skip', 'trace-pipe'], '10.111.60.99');
    expect(healthy.errored).toEqual([]);
    expect(healthy.report.diagnosis).toEqual([]);
    expect(healthy.exitCode).toBe(0);
  });

  test('a program attached through a bpf_link: the holder is named, and no fix detaches it through netlink', async () => {
    const z = await zooUp(TAG, { program: 'zoo_count_pass' });
    await execa('ip', ['-n', z.server, 'link', 'set', 'dev', 'zs0', 'xdpdrv', 'off']);
    const holder: ResultPromise = execa('nsenter', [`--net=/run/netns/${z.server}`, join(ROOT, 'bpf', 'build', 'zoo', 'xdp_link_hold'), join(ROOT, 'bpf', 'build', 'zoo', 'zoo_count_pass.o'), 'zs0'], { reject: false });
    try {
      await new Promise<void>((res, rej) => {
        holder.stdout!.on('data', (d) => { if (String(d).includes('attached')) res(); });
        holder.then((r) => rej(new Error(`xdp_link_hold exited: ${r.stderr}`)), rej);
      });
      const { exitCode, report, byId, errored } = await doctor(z);
      expect(errored).toEqual([]);
      expect(exitCode).toBe(0);
      expect(byId.inventory.summary).toMatch(/via bpf_link \d+/);
      expect(JSON.stringify(byId.inventory.evidence)).toMatch(new RegExp(`held by pid ${holder.pid} \\(xdp_link_hold\\)`));
      const fixes = JSON.stringify([...report.diagnosis, ...report.checks.flatMap((c: any) => c.findings)]);
      expect(fixes).not.toContain('xdpgeneric');
    } finally {
      holder.kill('SIGTERM');
      await holder;
    }
  });
});
