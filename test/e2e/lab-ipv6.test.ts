// The blog's lab over IPv6 (`lab up --ipv6`), through the built CLI as root on the real kernel: the LB balances
// [fd00:192:168:10::1]:50002 with IPv6-in-IPv6 from xdp_params6_array, the real's decap strips the outer header,
// and each of the blog's four bugs, reproduced over IPv6, must come out with the same top cause as over IPv4.
// Expected answers, written from the programs and the kernel before the first run:
// - healthy: the echo comes back over IPv6; exit 0, nothing wrong.
// - veth-peer: XDP_TX on l0 fails with ENXIO whatever the family → veth-peer-no-xdp.
// - params-unset (xdp_params6_array left zero): the LB passes the SYN to its own stack, which neither owns the
//   VIP nor forwards IPv6 (ip6_forward: IP_INADDRERRORS) → map-params-unset, naming xdp_params6_array.
// - bad-iphdr: the outer payload length in host order (0x5000 for 80) → gw g1's ip6_rcv_core drops it as
//   PKT_TOO_SMALL → malformed-packet, from the exit packet's payload length and the drop reason.
// - csum-offload: the client's partial TCP checksum reaches the real inside the tunnel; tcp_v6_rcv drops it
//   (TCP_CSUM, TcpInCsumErrors) → tx-checksum-partial with `ethtool -K c0 tx off` first.
// trace-pipe is skipped: it is a consuming reader other runs on this machine use.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freshLab, reportOf, runCli, uniqueLabName } from './helpers/cli.js';
import { expectNoMissingTool } from './helpers/rungs.js';

const LAB = uniqueLabName('l6');
const lab = (...args: string[]) => runCli(['lab', ...args, '--lab-name', LAB]);
const doctor = async () => {
  const run = reportOf(await runCli(['--lab', '--lab-name', LAB, '--skip', 'trace-pipe', '--json']));
  expectNoMissingTool(run.report);
  expect(run.errored).toEqual([]);
  return run;
};
async function withFault(fault: string, body: () => Promise<void>): Promise<void> {
  expect((await lab('break', fault)).exitCode).toBe(0);
  try { await body(); } finally { expect((await lab('fix', fault)).exitCode).toBe(0); }
}

beforeAll(async () => {
  await freshLab(LAB, [], { ipv6: true });
});

afterAll(async () => {
  await lab('down');
});

describe('the lab over IPv6 (lab up --ipv6)', () => {
  test('status shows both params maps; the probe goes to the IPv6 VIP and echoes', async () => {
    const status = await lab('status');
    expect(status.stdout).toContain('params xdp_params6_array[0]: dst_mac');
    expect(status.stdout).toMatch(/daddr fd00:111:222::11 saddr fd00:111:221::11 vip fd00:192:168:10::1/);
    const probe = await lab('probe');
    expect(probe.stdout).toMatch(/probe ok: echo from \[fd00:192:168:10::1\]:50002 came back/);
    expect(probe.exitCode).toBe(0);
  });

  test('healthy: exit 0, the IPv6-in-IPv6 encapsulation seen on the route and in the verdicts', async () => {
    const { exitCode, report, byId } = await doctor();
    expect(report.diagnosis).toEqual([]);
    expect(exitCode).toBe(0);
    expect(report.target.probe.argv).toContain('fd00:192:168:10::1');
    expect(byId.routing.summary).toMatch(/replies came back/);
    expect(byId['packet-sanity'].summary).toMatch(/well formed/);
    expect(byId['drop-reasons'].evidence[0].data).toBe('IPv6 to or from fd00:192:168:10::1 (and IPv6-in-IPv6 with that inner destination)');
    const changes = report.checks.find((c: any) => c.id === 'xdpdump').packets.groups.flatMap((g: any) => g.changes);
    expect(changes).toContainEqual({ field: 'encap', after: 'IPv6 fd00:111:221::11 > fd00:111:222::11 (IPv6-in-IPv6)' });
  });

  test('veth-peer: XDP_TX refused with ENXIO → veth-peer-no-xdp', async () => {
    await withFault('veth-peer', async () => {
      const { exitCode, report, causes } = await doctor();
      expect(exitCode).toBe(1);
      expect(causes[0]).toBe('veth-peer-no-xdp');
      expect(report.diagnosis[0].errno).toEqual({ value: 6, name: 'ENXIO' });
    });
  });

  test('params-unset: xdp_params6_array all zero → map-params-unset; the LB\'s IPv6 stack does not forward', async () => {
    await withFault('params-unset', async () => {
      const { exitCode, causes, said, byId } = await doctor();
      expect(exitCode).toBe(1);
      expect(causes[0]).toBe('map-params-unset');
      expect(said).toMatch(/map-dump: xdp_params6_arr is all zeros/);
      expect(byId['drop-reasons'].findings[0].message).toMatch(/IP_INADDRERRORS at l0 .* in ip6_forward: .*does not forward IPv6 \(net\.ipv6\.conf\.all\.forwarding=0\)/);
    });
  });

  test('bad-iphdr: the outer payload length without htons → malformed-packet, from the packet and the drop', async () => {
    await withFault('bad-iphdr', async () => {
      const { exitCode, causes, said } = await doctor();
      expect(exitCode).toBe(1);
      expect(causes[0]).toBe('malformed-packet');
      expect(said).toMatch(/packet-sanity: outer IPv6 payload length is 20480 \(0x5000\), expected 80 \(0x0050\) = frame length 134 − 14 − 40: written without htons/);
      expect(said).toMatch(/drop-reasons: .*PKT_TOO_SMALL at g1 .* in ip6_rcv_core: the IPv6 payload length claims more bytes/);
    });
  });

  test('csum-offload: the partial TCP checksum dropped by the real (tcp_v6_rcv) → tx-checksum-partial', async () => {
    await withFault('csum-offload', async () => {
      const { exitCode, report, causes, said } = await doctor();
      expect(exitCode).toBe(1);
      expect(causes[0]).toBe('tx-checksum-partial');
      expect(said).toMatch(/TCP_CSUM at r0 .* in tcp_v6_rcv/);
      expect(report.diagnosis[0].fixes[0].commands[0]).toEqual(['ethtool', '-K', 'c0', 'tx', 'off']);
    });
  });
});
