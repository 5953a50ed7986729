// src/tools/ip.ts: `ip -j` parsers on output recorded on this machine; anything else is a ToolOutputError.
import { describe, it, expect } from 'vitest';
import { createIp, parseAddrs, parseLinks, parseNetnsIds, parseNetnsList } from '../../src/tools/ip.js';
import { ToolOutputError } from '../../src/tools/json.js';
import { recording } from './helpers/recordings.js';
import { fakeExec } from '../../src/plugins/testing.js';

const vethXdp = recording('ip/link-veth-xdp.json');
const stats = recording('ip/link-stats.json');

describe('parseLinks', () => {
  it('reads the veth with its native XDP program (ip -j -d link show)', () => {
    const [v0, ...rest] = parseLinks(vethXdp);
    expect(rest).toEqual([]);
    expect(v0).toEqual({
      ifindex: 2, ifname: 'v0', kind: 'veth', up: true, carrier: true, mtu: 1500, mac: 'd6:70:98:d6:f3:12',
      linkIndex: 2, linkNetnsid: 0, numTxQueues: 2, numRxQueues: 2, maxMtu: 65535,
      xdp: { mode: 'native', progId: 137, progName: 'xdp_prog_func', tag: '45f330cfe0b3cd65', btfId: 67 },
      attachments: [{ mode: 'native', progId: 137, progName: 'xdp_prog_func', tag: '45f330cfe0b3cd65', btfId: 67 }],
    });
    expect(v0!.stats).toBeUndefined();
  });

  it('reads stats64 packets and drops (ip -j -s link show)', () => {
    const [v0] = parseLinks(stats);
    expect(v0!.stats).toEqual({ rxPackets: 16, txPackets: 15, rxDropped: 0, txDropped: 2 });
    // Without -d there is no linkinfo: kind stays unknown, the XDP program is still there.
    expect(v0!.kind).toBeUndefined();
    expect(v0!.xdp).toMatchObject({ mode: 'native', progId: 137, progName: 'xdp_prog_func' });
    expect(v0!.xdp!.btfId).toBeUndefined();
  });

  it('maps the XDP attach modes of if_link.h (1 drv, 2 skb, 3 hw)', () => {
    const raw = JSON.parse(vethXdp);
    const modeOf = (mode: number) => { raw[0].xdp.mode = mode; return parseLinks(JSON.stringify(raw))[0]!.xdp!.mode; };
    expect([1, 2, 3].map(modeOf)).toEqual(['native', 'generic', 'offload']);
  });

  it('generic mode as iproute2 prints it here: prog and an attached[] of one (recorded)', () => {
    const [link] = parseLinks(recording('ip/link-show-generic-attached.json'));
    expect(link!.xdp).toEqual({ mode: 'generic', progId: 2398, progName: 'allowlist', tag: '7b057caf1ee4aef7', btfId: 2866 });
    expect(link!.attachments).toEqual([link!.xdp]);
  });

  it('multi mode: no top-level prog, every program in attached[]; the native one is the primary', () => {
    // INVENTED SHAPE, derived from the recording above: mode 4 (XDP_ATTACHED_MULTI) needs offload hardware, which
    // no machine here has; iproute2 then prints the programs only in attached[], one entry per mode.
    const raw = JSON.parse(recording('ip/link-show-generic-attached.json'));
    const one = raw[0].xdp.attached[0];
    raw[0].xdp = { mode: 4, attached: [{ ...one, mode: 3, prog: { ...one.prog, id: 7 } }, { ...one, mode: 1 }] };
    const [link] = parseLinks(JSON.stringify(raw));
    expect(link!.xdp).toMatchObject({ mode: 'native', progId: 2398 });
    expect(link!.attachments!.map((a) => [a.mode, a.progId])).toEqual([['offload', 7], ['native', 2398]]);
  });

  it('a veth whose peer is still down is up without carrier (flags UP but no LOWER_UP, recorded)', () => {
    const [lo, a0] = parseLinks(recording('ip/link-veth-peer-down.json'));
    expect(lo).toMatchObject({ ifname: 'lo', up: false, carrier: false });
    expect(a0).toMatchObject({ ifname: 'a0', up: true, carrier: false });
  });

  it('a link without an xdp object has no program, and a DOWN link is not up', () => {
    const raw = JSON.parse(vethXdp);
    delete raw[0].xdp;
    raw[0].flags = raw[0].flags.filter((f: string) => f !== 'UP');
    const [link] = parseLinks(JSON.stringify(raw));
    expect(link!.xdp).toBeUndefined();
    expect(link!.up).toBe(false);
  });

  it('truncated output is a ToolOutputError with the excerpt, not a SyntaxError', () => {
    const cut = vethXdp.slice(0, 200);
    let err: unknown;
    try { parseLinks(cut); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ToolOutputError);
    expect((err as ToolOutputError).tool).toBe('ip');
    expect((err as ToolOutputError).message).toMatch(/^ip: unexpected output \(not JSON/);
    expect((err as ToolOutputError).excerpt).toBe(cut.trim());
  });

  it.each([
    ['empty output', ''],
    ['an error text instead of JSON', recording('ip/link-show-missing-dev-stderr.txt')],
    ['an object instead of a list', recording('bpftool/prog-show.json')],
    ['the netns list-id list (entries without ifindex/ifname)', recording('ip/netns-list-id.json')],
    ['an entry without ifindex', JSON.stringify(JSON.parse(vethXdp).map(({ ifindex: _, ...rest }: Record<string, unknown>) => rest))],
    ['an entry without ifname', JSON.stringify(JSON.parse(vethXdp).map(({ ifname: _, ...rest }: Record<string, unknown>) => rest))],
    ['a list of the MAC strings', JSON.stringify(JSON.parse(vethXdp).map((l: { address: string }) => l.address))],
    ['JSON null', 'null'],
    ['half of a second entry', `${vethXdp.trim().slice(0, -1)},{"ifindex":3`],
  ])('%s → ToolOutputError', (_name, text) => {
    expect(() => parseLinks(text)).toThrow(ToolOutputError);
  });

  it('an empty list is no links', () => {
    expect(parseLinks('[]')).toEqual([]);
  });
});

describe('parseNetnsIds / parseNetnsList', () => {
  it('reads `ip -j netns list-id`', () => {
    expect(parseNetnsIds(recording('ip/netns-list-id.json'))).toEqual([{ nsid: 0, name: 'recB' }]);
  });

  it('no namespace with an id: no ids', () => {
    expect(parseNetnsIds('[]\n')).toEqual([]); // what a fresh namespace prints
    expect(parseNetnsIds('')).toEqual([]);
    expect(parseNetnsIds('\n')).toEqual([]);
    expect(parseNetnsList('')).toEqual([]);
  });

  it('reads `ip -j netns list`: names, an empty /run/netns (`[]`) and none at all (no output)', () => {
    expect(parseNetnsList(recording('ip/netns-list.json'))).toEqual(['ut-gw', 'ut-client']);
    expect(parseNetnsList(recording('ip/netns-list-empty.json'))).toEqual([]);
    expect(parseNetnsList(recording('ip/netns-list-no-run-netns.json'))).toEqual([]);
  });

  it('garbage and truncation are ToolOutputErrors', () => {
    const text = recording('ip/netns-list-id.json');
    expect(() => parseNetnsIds(text.slice(0, 10))).toThrow(ToolOutputError);
    expect(() => parseNetnsIds(JSON.stringify(JSON.parse(text)[0]))).toThrow(ToolOutputError); // one entry, not a list
    expect(() => parseNetnsList('[{"name":')).toThrow(ToolOutputError);
  });
});

describe('createIp over a fake Exec', () => {
  it('builds the argv (details, stats, one device) and enters the namespace through the Exec', async () => {
    const exec = fakeExec([{ argv: ['ip', '-j', '-d', '-s', 'link', 'show', 'dev', 'v0'], netns: 'lb', stdout: vethXdp }]);
    const links = await createIp(exec).links({ kind: 'name', name: 'lb' }, { details: true, stats: true, iface: 'v0' });
    expect(links[0]!.ifname).toBe('v0');
    expect(exec.calls[0]!.argv).toEqual(['ip', '-j', '-d', '-s', 'link', 'show', 'dev', 'v0']);
    expect(exec.calls[0]!.netns).toEqual({ kind: 'name', name: 'lb' });
  });

  it('a failing ip is a ToolOutputError carrying its stderr', async () => {
    const exec = fakeExec([{ argv: ['ip', '-j', 'link', 'show'], netns: 'ut-nope', exitCode: 1, stderr: recording('ip/nsenter-missing-netns-stderr.txt') }]);
    const err = await createIp(exec).links({ kind: 'name', name: 'ut-nope' }).catch((e) => e);
    expect(err).toBeInstanceOf(ToolOutputError);
    expect(err.message).toBe('ip: nsenter: cannot open /run/netns/ut-nope: No such file or directory');
  });

  it('netnsIds and netnsNames are empty when ip fails', async () => {
    const exec = fakeExec([{ argv: ['ip', '-j', 'netns', 'list-id'], exitCode: 1 }, { argv: ['ip', '-j', 'netns', 'list'], exitCode: 1 }]);
    expect(await createIp(exec).netnsIds()).toEqual([]);
    expect(await createIp(exec).netnsNames()).toEqual([]);
  });

  it('netnsNames lists /run/netns; with strict a failing ip throws instead of meaning "none"', async () => {
    const ok = fakeExec([{ argv: ['ip', '-j', 'netns', 'list'], stdout: recording('ip/netns-list.json') }]);
    expect(await createIp(ok).netnsNames({ strict: true })).toEqual(['ut-gw', 'ut-client']);
    const failing = fakeExec([{ argv: ['ip', '-j', 'netns', 'list'], exitCode: 1, stderr: 'ip: some failure\n' }]);
    await expect(createIp(failing).netnsNames({ strict: true })).rejects.toThrow(ToolOutputError);
    await expect(createIp(failing).netnsNames({ strict: true })).rejects.toThrow('ip: netns list: ip: some failure');
  });
});

describe('the survey methods (discovery over many namespaces): a problem in words, never a throw', () => {
  const LINKS = ['ip', '-j', '-d', 'link', 'show'];

  it('surveyLinks: the links; a namespace nsenter cannot open is its last stderr line; output that is not JSON, the parser\'s words', async () => {
    const exec = fakeExec([
      { argv: LINKS, netns: 'lb', stdout: vethXdp },
      { argv: LINKS, netns: 'ut-nope', exitCode: 1, stderr: recording('ip/nsenter-missing-netns-stderr.txt') },
      { argv: LINKS, netns: 'odd', stdout: recording('ip/link-show-missing-dev-stderr.txt') },
    ]);
    const ip = createIp(exec);
    expect(await ip.surveyLinks({ kind: 'name', name: 'lb' })).toEqual({ links: parseLinks(vethXdp) });
    expect(await ip.surveyLinks({ kind: 'name', name: 'ut-nope' })).toEqual({ problem: 'nsenter: cannot open /run/netns/ut-nope: No such file or directory' });
    expect(await ip.surveyLinks({ kind: 'name', name: 'odd' })).toEqual({ problem: expect.stringMatching(/^ip: unexpected output \(not JSON/) });
  });

  it('surveyNetns: the names; a failing ip is a problem; ip not installed is none (its missing `ip link` says so)', async () => {
    const NETNS = ['ip', '-j', 'netns', 'list'];
    expect(await createIp(fakeExec([{ argv: NETNS, stdout: recording('ip/netns-list.json') }])).surveyNetns()).toEqual({ names: ['ut-gw', 'ut-client'] });
    expect(await createIp(fakeExec([{ argv: NETNS, exitCode: 1, stderr: 'ip: some failure\n' }])).surveyNetns())
      .toEqual({ names: [], problem: 'ip netns list: ip: some failure' });
    expect(await createIp(fakeExec([{ argv: NETNS, notFound: true }])).surveyNetns()).toEqual({ names: [] });
  });
});

describe('parseAddrs', () => {
  it('the IPv4 addresses of an interface (ip -j addr show dev lo, recorded)', () => {
    expect(parseAddrs(recording('ip/addr-show-dev-lo.json'))).toEqual([{ ifname: 'lo', ipv4: ['127.0.0.1'] }]);
    expect(parseAddrs('')).toEqual([]);
  });
});
