// Programs that change packets, and IPv6, through the built CLI as root on the real kernel (test/zoo/*.c on the
// zoo's veth pair, dual stack). Each scenario's expected answer was written from the program before the tool ran
// on it: the top cause, the before/after fields of the report, and no rung in `error` (and none skipped for a
// missing tool).
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { execa, type ResultPromise } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordArgs, reportOf, runCli } from './helpers/cli.js';
import { ZOO_V6, zooDown, zooUp, type ZooSetup } from './helpers/zoo.js';

const TAG = 'zc';
let listener: ResultPromise | undefined;

async function doctor(z: ZooSetup, probe: string) {
  return reportOf(await runCli(['--iface', z.iface, '--netns', z.server, '--probe', probe, '--probe-netns', z.client, '--json', '--skip', 'trace-pipe', ...recordArgs(expect.getState().currentTestName)]));
}

/** A TCP listener in the server namespace (nc -l -k), stopped after the test. */
async function listen(z: ZooSetup, port: number, v6 = false): Promise<void> {
  listener = execa('nsenter', [`--net=/run/netns/${z.server}`, '--', 'nc', ...(v6 ? ['-6'] : []), '-l', '-k', String(port)], { reject: false, stdin: 'ignore' });
  // Listening once ss shows the socket: no fixed sleep.
  for (let i = 0; i < 50; i++) {
    const ss = await execa('nsenter', [`--net=/run/netns/${z.server}`, '--', 'ss', '-Hltn', `sport = :${port}`], { reject: false });
    if (String(ss.stdout).trim()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nc did not listen on ${port}`);
}

const mapUpdate = (name: string, key: string[], value: string[]) => execa('bpftool', ['map', 'update', 'name', name, 'key', ...key, 'value', ...value]);
const groups = (report: any) => report.packets.groups.map((g: any) => ({ action: g.action, kind: g.before.kind, changes: g.changes }));

afterEach(async () => {
  listener?.kill('SIGTERM');
  await listener?.catch(() => undefined);
  listener = undefined;
  await zooDown(TAG);
});
afterAll(async () => { await zooDown(TAG); });

describe('programs that change packets', () => {
  for (const v6 of [false, true]) {
    const family = v6 ? 'IPv6' : 'IPv4';
    test(`port rewrite 8081 → 8080 (${family}), nothing on 8080: the rewrite is the cause, its partial checksum is not`, async () => {
      const z = await zooUp(TAG, { program: 'zoo_port_rewrite' });
      await listen(z, 8081, v6);
      const dst = v6 ? ZOO_V6.server : z.serverIp;
      const { exitCode, report, byId, errored, causes, said } = await doctor(z, `nc ${v6 ? '-6 ' : ''}-z -w 2 ${dst} 8081`);
      expect(errored).toEqual([]);
      expect(exitCode).toBe(1);
      expect(causes[0]).toBe('xdp-change-dropped');
      expect(said).toMatch(/packet-fate: the program rewrites the destination port 8081 → 8080 and returns XDP_PASS; .*nothing listens on port 8080/);
      expect(said).toMatch(/NO_SOCKET ×\d+ at zs0 .*\(the XDP interface itself\) in tcp_v[46]_rcv/);
      expect(causes).not.toContain('malformed-packet');
      expect(byId['packet-sanity'].status).toBe('pass');
      expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: v6 ? 'ipv6' : 'ipv4', changes: [{ field: 'l4.dport', before: '8081', after: '8080' }] });
      const trip = report.packets.groups.find((g: any) => g.changes.length);
      expect(trip.checksum).toEqual({ proto: 'tcp', before: 'partial', after: 'updated' });
      expect(trip.before).toMatchObject({ dst, dport: 8081 });
    });
  }

  // With the service on 8080 the SYN is accepted, but the program rewrites one direction only: the SYN-ACK comes
  // back from 8080 and the client, connected to 8081, answers it with a RST. Not healthy, and the answer says why.
  test('port rewrite with the service on 8080: the reply from 8080 is not the client\'s connection', async () => {
    const z = await zooUp(TAG, { program: 'zoo_port_rewrite' });
    await listen(z, 8080);
    const { exitCode, report, errored, causes, said } = await doctor(z, `nc -z -w 2 ${z.serverIp} 8081`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-change-dropped');
    expect(said).toMatch(/the replies come back from port 8080, which the client's connection to 8081 does not recognize: the program rewrites one direction only \(NO_SOCKET ×\d+ at zc0/);
    expect(said).not.toMatch(/nothing listens on port 8080/);
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv4', changes: [{ field: 'l4.dport', before: '8081', after: '8080' }] });
  });

  // The same tagger over IPv6 (neighbour discovery left alone, so the client resolves the server): each echo
  // request gets the tag and ipv6_rcv drops it as OTHERHOST on zs0, 4 bytes longer (118 → 122).
  for (const v6 of [false, true]) {
    const family = v6 ? 'IPv6' : 'IPv4';
    test(`VLAN push (${family}): OTHERHOST on the XDP interface is the kernel's, joined to the tag`, async () => {
      const z = await zooUp(TAG, { program: 'zoo_vlan_push' });
      const { exitCode, report, byId, errored, causes, said } = await doctor(z, `ping ${v6 ? '-6 ' : ''}-c 3 -i 0.2 -W 1 ${v6 ? ZOO_V6.server : z.serverIp}`);
      expect(errored).toEqual([]);
      expect(exitCode).toBe(1);
      expect(causes[0]).toBe('xdp-change-dropped');
      expect(said).toMatch(/the program pushes an 802\.1Q tag, VLAN 100, onto the frames and returns XDP_PASS; the kernel dropped 3 packet\(s\) of the flow for it: no VLAN 100 device is configured on zs0/);
      expect(byId['drop-reasons'].summary).toMatch(/^OTHERHOST ×3 at zs0 .*\(the XDP interface, after the program\)/);
      expect(byId['drop-reasons'].summary).not.toMatch(/dropped by the XDP program itself/);
      const [before, after] = v6 ? ['118', '122'] : ['98', '102'];
      expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: v6 ? 'ipv6' : 'ipv4', changes: [{ field: 'vlan.push', after: '100' }, { field: 'length', before, after }] });
    });
  }

  // The program pops a tag it expects in the frame. The client's veth offloads the tag (tx-vlan-offload on), so it
  // rides beside the frame in the skb: the program never sees a tag and pops nothing; the stack then finds VLAN 100
  // on a device with no VLAN 100 device and takes every frame as for another host. The capture on zc0 shows the tag
  // (libpcap puts it back from the skb), so a replay that fed it to the program would claim a pop that never
  // happened. Expected: vlan-tag-beside-frame at diagnosis[0], naming the offload on zc0, with `ethtool -K zc0
  // txvlan off` (undo on) as the fix; no packet claimed popped. (First expected with OTHERHOST drops; the first
  // run saw none, and net/ipv4/arp.c says why: arp_rcv() consumes a frame for another host without a drop reason,
  // so the ARP requests vanish silently and the client's neighbour entry for the server stays unresolved.)
  test('VLAN pop with the tag offloaded by the sender: the program never sees the tag, and the answer says so', async () => {
    const z = await zooUp(TAG, { program: 'zoo_vlan_pop', clientVlanTag: 'offloaded' });
    const { exitCode, report, errored, causes, said } = await doctor(z, `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('vlan-tag-beside-frame');
    expect(said).toMatch(/the frames reach zs0 with VLAN 100 beside them, in the skb's metadata, not in the frame: the veth peer zc0 offloads the tag \(tx-vlan-offload on\)\. The program never sees it/);
    expect(said).toMatch(/its ARP requests \(\d+\) go unanswered \(arp_rcv\(\) consumes a frame for another host without a drop reason\), so the client never resolved its neighbour \(10\.111\.60\.2 (INCOMPLETE|FAILED) on zc0\)/);
    const fix = report.diagnosis[0].fixes[0];
    expect(fix.commands).toEqual([['ethtool', '-K', 'zc0', 'txvlan', 'off']]);
    expect(fix.undo).toEqual([['ethtool', '-K', 'zc0', 'txvlan', 'on']]);
    expect(report.packets.groups.flatMap((g: any) => g.changes.map((c: any) => c.field))).not.toContain('vlan.pop');

    // The fix, applied: the tag goes into the frame, the program pops it, the probe passes; undo puts the offload back.
    const state = mkdtempSync(join(tmpdir(), 'xdp-doctor-zc-state-'));
    try {
      const env = { XDP_DOCTOR_STATE_DIR: state };
      const fixed = reportOf(await runCli(['--iface', z.iface, '--netns', z.server, '--probe', `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`, '--probe-netns', z.client, '--json', '--skip', 'trace-pipe', '--fix'], { env }));
      expect(fixed.report.fix).toMatchObject({ applied: true, worked: true, commands: [['nsenter', `--net=/run/netns/${z.client}`, '--', 'ethtool', '-K', 'zc0', 'txvlan', 'off']] });
      expect(fixed.exitCode).toBe(0);
      expect((await runCli(['undo'], { env })).exitCode).toBe(0);
      const txvlan = await execa('nsenter', [`--net=/run/netns/${z.client}`, 'ethtool', '-k', 'zc0']);
      expect(txvlan.stdout).toMatch(/^tx-vlan-offload: on$/m);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });

  // Over IPv6 the same: the neighbour solicitations carry the tag beside them, the server's IPv6 stack drops them
  // as for another host (off the followed flow: they are the client's, to a multicast address), and the client never
  // resolves fd00:111:60::2.
  test('VLAN pop with the tag offloaded, over IPv6: the solicitations go unanswered, and the answer says why', async () => {
    const z = await zooUp(TAG, { program: 'zoo_vlan_pop', clientVlanTag: 'offloaded' });
    const { exitCode, errored, causes, said } = await doctor(z, `ping -6 -c 3 -i 0.2 -W 1 ${ZOO_V6.server}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('vlan-tag-beside-frame');
    expect(said).toMatch(/the veth peer zc0 offloads the tag \(tx-vlan-offload on\)\. The program never sees it: .*its neighbour solicitations \(\d+\) go unanswered .*, so the client never resolved its neighbour \(fd00:111:60::2 (INCOMPLETE|FAILED) on zc0\)/);
  });

  test('VLAN pop with the tag in the frame: popped, delivered, exit 0', async () => {
    const z = await zooUp(TAG, { program: 'zoo_vlan_pop', clientVlanTag: 'inline' });
    const { exitCode, report, errored } = await doctor(z, `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.diagnosis).toEqual([]);
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv4', changes: [{ field: 'vlan.pop', before: '100' }, { field: 'length', before: '102', after: '98' }] });
  });

  test('IPIP with an outer source the receiver owns: IP_LOCAL_SOURCE, joined to the encapsulation', async () => {
    const z = await zooUp(TAG, { program: 'zoo_ipip_encap' });
    await mapUpdate('encap_config', ['0', '0', '0', '0'], ['10', '111', '60', '2']);
    const { exitCode, report, errored, causes, said } = await doctor(z, `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-change-dropped');
    expect(said).toMatch(/encapsulates the packets \(encapsulated in IPv4 10\.111\.60\.2 > 10\.111\.60\.2 \(IPIP\)\).*10\.111\.60\.2 is an address of the receiving host itself \(accept_local=0\) \(IP_LOCAL_SOURCE ×3 at zs0/);
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv4', changes: [{ field: 'encap', after: 'IPv4 10.111.60.2 > 10.111.60.2 (IPIP)' }, { field: 'length', before: '98', after: '118' }] });
  });

  test('IPIP to a receiver without a tunnel: IP_NOPROTO, nothing decapsulates it', async () => {
    const z = await zooUp(TAG, { program: 'zoo_ipip_encap' });
    await mapUpdate('encap_config', ['0', '0', '0', '0'], ['10', '111', '60', '1']);
    const { exitCode, errored, causes, said } = await doctor(z, `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-change-dropped');
    expect(said).toMatch(/encapsulated in IPv4 10\.111\.60\.1 > 10\.111\.60\.2 \(IPIP\).*nothing on the receiver decapsulates it .*\(IP_NOPROTO ×3 at zs0/);
  });

  // The IPv6 counterpart: IPv6-in-IPv6 from the client's address to a receiver with no ip6tnl device: next header 41
  // has no handler there, so ip6_protocol_deliver_rcu drops every request as IP_NOPROTO on zs0. Expected:
  // xdp-change-dropped at diagnosis[0], the encapsulation named, nothing decapsulating it. Exit 1.
  test('IPv6-in-IPv6 to a receiver without a tunnel: IP_NOPROTO, nothing decapsulates it', async () => {
    const z = await zooUp(TAG, { program: 'zoo_ip6ip6_encap' });
    await mapUpdate('encap_config', ['0', '0', '0', '0'], ['0xfd', '0', '1', '0x11', '0', '0x60', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1']);
    const { exitCode, report, errored, causes, said } = await doctor(z, `ping -6 -c 3 -i 0.2 -W 1 ${ZOO_V6.server}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-change-dropped');
    expect(said).toMatch(/encapsulates the packets \(encapsulated in IPv6 fd00:111:60::1 > fd00:111:60::2 \(IPv6-in-IPv6\)\).*nothing on the receiver decapsulates it .*\(IP_NOPROTO ×3 at zs0/);
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv6', changes: [{ field: 'encap', after: 'IPv6 fd00:111:60::1 > fd00:111:60::2 (IPv6-in-IPv6)' }, { field: 'length', before: '118', after: '158' }] });
  });

  // GUE (UDP 5555, the inner packet right after UDP) from the client's own address to a receiver where nothing
  // listens on 5555 (this kernel has no fou module to add one): the stack has no socket for it and drops every
  // packet as NO_SOCKET in __udp4_lib_rcv on zs0. Expected: xdp-change-dropped at diagnosis[0], naming the
  // encapsulation and the port nothing listens on; the encapsulation in the before/after fields. Exit 1.
  test('GUE to a receiver with nothing on UDP 5555: NO_SOCKET, nothing decapsulates it', async () => {
    const z = await zooUp(TAG, { program: 'zoo_gue_encap' });
    await mapUpdate('encap_config', ['0', '0', '0', '0'], ['10', '111', '60', '1']);
    const { exitCode, report, errored, causes, said } = await doctor(z, `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-change-dropped');
    expect(said).toMatch(/encapsulates the packets \(encapsulated in IPv4 10\.111\.60\.1 > 10\.111\.60\.2 \(UDP 5555 \(GUE\)\)\) and returns XDP_PASS; the kernel dropped 3 packet\(s\) of the flow for it: nothing on the receiver listens on UDP port 5555 to decapsulate it .*\(NO_SOCKET ×3 at zs0 .* in __udp4_lib_rcv/);
    expect(causes).not.toContain('malformed-packet');
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv4', changes: [{ field: 'encap', after: 'IPv4 10.111.60.1 > 10.111.60.2 (UDP 5555 (GUE))' }, { field: 'length', before: '98', after: '126' }] });
  });

  // The same GUE encapsulator over IPv6 (echo requests only; neighbour discovery left alone), its UDP checksum left 0
  // as over IPv4; both outer sources configured, as for a dual-stack encapsulator. Expected, written from the
  // program and RFC 8200 before the run: IPv6 forbids a zero UDP checksum, so zs0 drops every packet as UDP_CSUM;
  // diagnosis[0] malformed-packet, the zero checksum named by packet-sanity and the drop joined to it. The first run
  // corrected the kernel part: __udp6_lib_rcv sets NO_SOCKET before it sees the zero checksum and keeps that reason
  // on its checksum-error path (report_csum_error: Udp6InCsumErrors, no ICMP port unreachable). The answer is the
  // same: the drop is joined to the malformed packet (packet-fate reads the zero checksum in the encapsulation),
  // not to "nothing listens" alone. Exit 1.
  test('GUE over IPv6 with the UDP checksum left 0: IPv6 refuses it, the program emits malformed packets', async () => {
    const z = await zooUp(TAG, { program: 'zoo_gue_encap' });
    await mapUpdate('encap_config', ['0', '0', '0', '0'], ['10', '111', '60', '1']);
    await mapUpdate('encap6_config', ['0', '0', '0', '0'], ['0xfd', '0', '0x01', '0x11', '0', '0x60', '0', '0', '0', '0', '0', '0', '0', '0', '0', '0x01']);
    const { exitCode, report, errored, causes, said } = await doctor(z, `ping -6 -c 3 -i 0.2 -W 1 ${ZOO_V6.server}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('malformed-packet');
    expect(causes).not.toContain('map-params-unset');
    expect(said).toMatch(/packet-sanity: UDP checksum is 0x0000 over IPv6: IPv6 requires a UDP checksum/);
    expect(said).toMatch(/packet-fate: the program encapsulates the packets .* its outer UDP checksum is 0, which IPv6 does not allow .*\(NO_SOCKET ×3 at zs0 .* in __udp6_lib_rcv\)/);
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv6', changes: [{ field: 'encap', after: 'IPv6 fd00:111:60::1 > fd00:111:60::2 (UDP 5555 (GUE, checksum 0))' }, { field: 'length', before: '118', after: '166' }] });
  });

  // A destination NAT whose table the loader never filled: the SYN to the VIP 10.111.60.100:80 (on the server's lo)
  // finds no translation and passes untouched; nothing listens on 80, so the stack answers with a RST (NO_SOCKET).
  // Expected first: map-empty at diagnosis[0]. The run put the observed verdict first (xdp-passed-unchanged) with
  // the empty nat_table and the NO_SOCKET drop joined to it: the rule of map-contents (an empty table is normal for
  // many programs, so it joins a cause this run observed, never leads). The story is the same and complete; the
  // test holds the tool to all three parts of it, in that order. Exit 1, nothing malformed.
  test('a NAT with an empty table: no translation, the SYN passes untouched to a VIP where nothing listens', async () => {
    const z = await zooUp(TAG, { program: 'zoo_nat' });
    await execa('ip', ['-n', z.server, 'addr', 'add', '10.111.60.100/32', 'dev', 'lo']);
    const { exitCode, report, byId, errored, causes, said } = await doctor(z, 'nc -z -w 2 10.111.60.100 80');
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-passed-unchanged');
    expect(said).toMatch(/xdpdump: dnat \(id \d+\) returned XDP_PASS for all \d+ probe packet\(s\) to 10\.111\.60\.100 and left them unchanged/);
    expect(said).toMatch(/drop-reasons: .*SKB_DROP_REASON_NO_SOCKET at zs0 .* in tcp_v4_rcv/);
    expect(said).toMatch(/map-dump: nat_table \(hash, up to 1024 entries\) is empty: every lookup in it misses/);
    expect(causes).not.toContain('malformed-packet');
    expect(byId['drop-reasons'].summary).toMatch(/NO_SOCKET ×\d+ at zs0/);
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv4', changes: [] });
  });

  // The same NAT over IPv6, nat6_table never filled: the SYN to the VIP [fd00:111:61::100]:80 (on the server's lo,
  // routed via the server: IPv6 answers neighbour solicitations only for addresses on the asking interface) passes
  // untouched; tcp_v6_rcv finds no socket and answers with a RST. Expected, written before the run: the same story
  // as over IPv4 — xdp-passed-unchanged first, the NO_SOCKET drop and the empty nat6_table joined. Exit 1.
  test('the NAT with its IPv6 table empty: the SYN passes untouched to an IPv6 VIP where nothing listens', async () => {
    const z = await zooUp(TAG, { program: 'zoo_nat' });
    await execa('ip', ['-n', z.server, '-6', 'addr', 'add', 'fd00:111:61::100/128', 'dev', 'lo']);
    await execa('ip', ['-n', z.client, '-6', 'route', 'add', 'fd00:111:61::100/128', 'via', ZOO_V6.server]);
    const { exitCode, report, errored, causes, said } = await doctor(z, 'nc -6 -z -w 2 fd00:111:61::100 80');
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-passed-unchanged');
    expect(said).toMatch(/xdpdump: dnat \(id \d+\) returned XDP_PASS for all \d+ probe packet\(s\) to fd00:111:61::100 and left them unchanged/);
    expect(said).toMatch(/drop-reasons: .*SKB_DROP_REASON_NO_SOCKET at zs0 .* in tcp_v6_rcv/);
    expect(said).toMatch(/map-dump: nat6_table \(hash, up to 1024 entries\) is empty: every lookup in it misses/);
    expect(causes).not.toContain('malformed-packet');
    expect(groups(report)).toContainEqual({ action: 'XDP_PASS', kind: 'ipv6', changes: [] });
  });
});

describe('neighbour resolution and IPv6', () => {
  test('a deny-by-default filter that drops ARP: the client never resolved the server; no verdict claimed for packets never sent', async () => {
    const z = await zooUp(TAG, { program: 'zoo_ip_only' });
    await mapUpdate('allowed_v4', ['10', '111', '60', '1'], ['1']);
    const { exitCode, report, byId, errored, causes, said } = await doctor(z, `ping -c 3 -i 0.2 -W 1 ${z.serverIp}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('neighbour-dropped');
    expect(said).toMatch(/returns XDP_DROP for \d+ of \d+ ARP frame\(s\) on zs0: the client never resolved 10\.111\.60\.2 \(its neighbour entry: 10\.111\.60\.2 (INCOMPLETE|FAILED) on zc0\); no packet of the probe itself reached the program: it was never sent/);
    expect(byId.xdpdump.summary).toMatch(/^no packet of the flow itself; \d+ neighbour resolution frame\(s\) \(ARP\/ND\): XDP_DROP ×\d+/);
    expect(report.diagnosis.find((d: any) => d.cause === 'xdp-drop-verdict')).toBeUndefined();
  });

  test('the same filter over IPv6: neighbour solicitations dropped', async () => {
    const z = await zooUp(TAG, { program: 'zoo_ip_only' });
    await mapUpdate('allowed_v6', ['0xfd', '0', '1', '0x11', '0', '0x60', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1'], ['1']);
    const { exitCode, errored, causes, said } = await doctor(z, `ping -6 -c 3 -i 0.2 -W 1 ${ZOO_V6.server}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('neighbour-dropped');
    expect(said).toMatch(/XDP_DROP for \d+ of \d+ IPv6 neighbour discovery frame\(s\) on zs0: the client never resolved fd00:111:60::2/);
  });

  test('an IPv6 filter that denies ICMPv6 echo: the program\'s own verdict on the IPv6 probe, followed by every rung', async () => {
    const z = await zooUp(TAG, { program: 'zoo_v6_filter' });
    await mapUpdate('denied_v6', ['0x80', '0', '0x3a', '0'], ['1']);
    const { exitCode, byId, errored, causes, said } = await doctor(z, `ping -6 -c 3 -i 0.2 -W 1 ${ZOO_V6.server}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(1);
    expect(causes[0]).toBe('xdp-drop-verdict');
    expect(said).toMatch(/v6_filter \(id \d+\) returned XDP_DROP for 3 of 3 probe packet\(s\) to fd00:111:60::2/);
    expect(byId.routing.summary).toMatch(/reached zs0 \(XDP\).*no reply came back/);
    expect(byId['drop-reasons'].summary).toMatch(/\(3 dropped by the XDP program itself on zs0 \(its verdict\)\)/);
  });

  test('healthy counter over IPv6: exit 0, replies seen, nothing skipped for want of a flow', async () => {
    const z = await zooUp(TAG, { program: 'zoo_count_pass' });
    const { exitCode, report, byId, errored } = await doctor(z, `ping -6 -c 3 -i 0.2 -W 1 ${ZOO_V6.server}`);
    expect(errored).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.diagnosis).toEqual([]);
    expect(byId.routing.summary).toMatch(/replies came back/);
    expect(byId.xdpdump.summary).toMatch(/3 packet\(s\): XDP_PASS ×3/);
    expect(byId['drop-reasons'].status).toBe('pass');
  });
});
