// Rung 1: what is loaded? The XDP program on the target interface (mode, id, name, tag, BTF, maps) and,
// for a veth, the peer: does it have an XDP program and GRO? (Native XDP_TX on a veth needs one.)
import {
  defineCheck, DISPATCHER_NAME, INVENTORY, kb, type CheckContext, type Evidence, type Finding, type InventoryFacts,
  type LinkInfo, type MapInfo,
} from '../src/plugins/api.js';

export default defineCheck({
  id: 'inventory',
  title: 'XDP inventory',
  question: 'Which XDP program runs on the interface, in which mode, with which maps, and what is on the veth peer?',
  rung: 1,
  needs: ['ip', 'bpftool'],
  after: ['preflight'],
  async run(ctx) {
    const { target } = ctx;
    const { ip, bpftool } = ctx.tools;
    const evidence: Evidence[] = [];
    const findings: Finding[] = [];

    const [link] = await ip.links(target.netns, { details: true, iface: target.iface });
    if (!link) return { status: 'error', summary: `${target.iface} not found`, evidence, findings };
    const progId = target.progId ?? link.xdp?.progId;
    const facts: InventoryFacts = {
      iface: link.ifname, ifindex: link.ifindex, netns: target.netns, mode: link.xdp?.mode,
      progId, progName: link.xdp?.progName, tag: link.xdp?.tag, btfId: link.xdp?.btfId, maps: [], kind: link.kind, mtu: link.mtu,
    };

    // The device's side (veth peer, offloads) and the program's side read at once: each is a few commands, and
    // every rung that attaches a collector waits for this one.
    const deviceSide = (async () => {
      if (link.kind === 'veth') {
        ctx.progress('looking up the veth peer');
        facts.peer = await vethPeer(ctx, link);
      } else {
        // A NIC that strips VLAN tags on receive hands XDP untagged frames (the tag waits in the skb's metadata).
        const own = await ctx.tools.ethtool.features(link.ifname, target.netns).catch(() => undefined);
        const rx = own?.get('rx-vlan-offload');
        if (rx) facts.rxVlanOffload = rx.on;
      }
    })();
    deviceSide.catch(() => undefined); // awaited below; a failure on the program's side first must not leave it unhandled

    if (!progId) {
      await deviceSide;
      ctx.facts.set(INVENTORY, facts);
      findings.push({
        cause: 'no-xdp-program', iface: link.ifname, fixes: [],
        message: `no XDP program is attached to ${link.ifname}`,
      });
      return { status: 'fail', summary: `no XDP program on ${link.ifname}`, evidence: [{ label: 'link', data: link }], findings };
    }

    ctx.progress(`reading program ${progId} and its maps`);
    let prog = await bpftool.prog(progId);
    // libxdp's multiprog dispatcher (xdp-loader load): the link shows the dispatcher; the user's program is its
    // component, which only libxdp's status names. The rungs diagnose the component (first in run order).
    if (target.progId === undefined && prog.name === DISPATCHER_NAME) {
      ctx.progress(`${link.ifname} runs libxdp's dispatcher: asking xdp-loader for its components`);
      const libxdp = await ctx.tools.xdpLoader.status(link.ifname, target.netns);
      const components = libxdp?.program?.id === prog.id ? libxdp.components : [];
      facts.dispatcher = { progId: prog.id, components: components.map((c) => ({ id: c.id, name: c.name, prio: c.prio })) };
      evidence.push({
        label: 'dispatcher',
        data: components.length
          ? `libxdp ${DISPATCHER_NAME} (id ${prog.id}) runs ${components.map((c) => `${c.name} (id ${c.id}, prio ${c.prio}${c.chainActions.length ? `, chain on ${c.chainActions.join(',')}` : ''})`).join(', ')}`
          : `libxdp ${DISPATCHER_NAME} (id ${prog.id}); xdp-loader status named no component${libxdp ? '' : ' (xdp-loader missing or failed)'}`,
      });
      if (components[0]) {
        prog = await bpftool.prog(components[0].id);
        facts.progId = prog.id;
      }
    }
    facts.progName = prog.name ?? facts.progName;
    facts.tag = prog.tag;
    facts.btfId = prog.btfId;
    // What it calls: a fact for the rungs that check each helper's preconditions on this host. A program whose
    // instructions cannot be read (an old bpftool, a permission) is still inventoried; the gap is said.
    // bpftool's xlated dump loads the kernel's BTF (~0.2 s): it runs beside the maps and the link lookup.
    let callsNote: string | undefined;
    const calls = bpftool.calls(prog.id).then(
      (c) => { facts.calls = c; },
      (e) => { callsNote = `its helper calls could not be read (${e instanceof Error ? e.message : String(e)})`; },
    );
    const maps = Promise.all(prog.mapIds.map((id) => bpftool.map(id))).then((m) => { facts.maps = m; });
    const owner = (async () => {
      const [found] = await ctx.tools.links.ofXdpProgram(progId);
      if (!found) return;
      ctx.progress(`finding the process that holds bpf_link ${found.id}`);
      facts.link = { id: found.id, holders: (await ctx.tools.links.holders(found.id)).map(({ pid, comm }) => ({ pid, comm })) };
    })();
    if ((link.attachments?.length ?? 0) > 1) facts.attachments = link.attachments!.map((a) => ({ mode: a.mode, progId: a.progId, progName: a.progName }));
    await Promise.all([calls, maps, owner, deviceSide]);
    ctx.facts.set(INVENTORY, facts);

    evidence.push(
      { label: 'program', data: `${prog.name ?? '?'} id ${prog.id} tag ${prog.tag ?? '?'} ${prog.btfId ? `btf ${prog.btfId}` : 'no BTF'}` },
      { label: 'attached', data: `${link.ifname} (ifindex ${link.ifindex}, ${link.kind ?? 'device'}) mode ${facts.mode ?? (target.progId ? 'given by --prog' : '?')}` },
      { label: 'maps', data: facts.maps.map(describeMap) },
      {
        label: 'calls', command: ['bpftool', '-j', 'prog', 'dump', 'xlated', 'id', String(prog.id)],
        data: facts.calls ? describeCalls(facts.calls, facts.maps) : callsNote!,
      },
    );
    if (facts.peer) evidence.push({ label: 'veth peer', data: describePeer(facts.peer) });
    if (facts.attachments) evidence.push({ label: 'attachments', data: facts.attachments.map((a) => `${a.mode}: ${a.progName ?? '?'} id ${a.progId}`).join('\n') });
    if (facts.link) {
      const held = facts.link.holders.map((h) => `pid ${h.pid}${h.comm ? ` (${h.comm})` : ''}`).join(', ');
      evidence.push({
        label: 'bpf_link', command: ['bpftool', '-j', 'link', 'show'],
        data: `attached through bpf_link ${facts.link.id}, held by ${held || 'no process found (pinned in bpffs?)'}: ` +
          'netlink (ip link set … xdp off) cannot detach it; the holder owns it',
      });
    }

    const notes: string[] = [];
    if (!prog.btfId) notes.push('program has no BTF: map values cannot be decoded by field and xdpdump cannot attach');
    if (facts.peer && facts.mode === 'native' && !facts.peer.xdp) {
      notes.push(`veth peer ${facts.peer.ifname} has no XDP program${facts.peer.gro ? ' (GRO on)' : ' and GRO off'}: native XDP_TX frames will be refused (ENXIO)`);
      findings.push({
        cause: 'veth-peer-no-xdp', iface: facts.peer.ifname, progId: facts.progId, risk: true,
        message: `native XDP on veth ${link.ifname} whose peer ${facts.peer.ifname} has no XDP program: XDP_TX would fail`,
        fixes: kb.vethPeerFixes({ iface: link.ifname, netns: target.netns, progId, linkOwned: Boolean(facts.link), peer: { ifname: facts.peer.ifname, netns: facts.peer.netns } }),
      });
    }
    const behind = facts.dispatcher && facts.progId !== facts.dispatcher.progId ? ` behind ${DISPATCHER_NAME} (id ${facts.dispatcher.progId})` : '';
    const summary = `${prog.name ?? 'program'} (id ${prog.id})${behind} ${facts.mode ?? ''} on ${link.ifname}${facts.link ? ` via bpf_link ${facts.link.id}` : ''}, ${facts.maps.length} map(s)` +
      (facts.peer ? `; peer ${facts.peer.ifname} ${facts.peer.xdp ? `runs ${facts.peer.xdp.progName ?? facts.peer.xdp.progId}` : 'has no XDP'}` : '');
    return { status: notes.length ? 'warn' : 'pass', summary: notes.length ? `${summary} — ${notes.join('; ')}` : summary, evidence, findings };
  },
});

/** "fib_lookup ×1, redirect_map ×1 → tx_ports (devmap)": each helper, how often, and the maps handed to it. */
function describeCalls(calls: NonNullable<InventoryFacts['calls']>, maps: MapInfo[]): string {
  if (!calls.helpers.length) return 'no helper calls';
  return calls.helpers.map((h) => {
    const named = h.mapIds.map((id) => { const m = maps.find((x) => x.id === id); return m ? `${m.name} (${m.type})` : `map ${id}`; });
    return `${h.helper} ×${h.calls}${named.length ? ` → ${named.join(', ')}` : ''}`;
  }).join(', ');
}

async function vethPeer(ctx: CheckContext, link: LinkInfo): Promise<InventoryFacts['peer']> {
  const found = await ctx.tools.vethPeer(link, ctx.target.netns);
  if (!found) return undefined;
  const { link: peer, netns, label } = found;
  const features = await ctx.tools.ethtool.features(peer.ifname, netns).catch(() => undefined);
  const gro = features?.get('generic-receive-offload')?.on;
  const txVlan = features?.get('tx-vlan-offload')?.on;
  return {
    ifname: peer.ifname, ifindex: peer.ifindex, netns, netnsName: label, up: peer.up, mtu: peer.mtu, gro,
    xdp: peer.xdp ? { mode: peer.xdp.mode, progId: peer.xdp.progId, progName: peer.xdp.progName } : undefined,
    ...(txVlan !== undefined ? { txVlanOffload: txVlan } : {}),
  };
}

const describeMap = (m: MapInfo) => `${m.name} (id ${m.id}, ${m.type}, key ${m.keySize}B value ${m.valueSize}B, ${m.maxEntries} entries${m.btfId ? ', BTF' : ''})`;

const describePeer = (p: NonNullable<InventoryFacts['peer']>) =>
  `${p.ifname}${p.netnsName ? ` in ${p.netnsName}` : ''}: ${p.up ? 'up' : 'DOWN'}, ` +
  `${p.xdp ? `XDP ${p.xdp.progName ?? ''} id ${p.xdp.progId} (${p.xdp.mode})` : 'no XDP program'}, GRO ${p.gro === undefined ? '?' : p.gro ? 'on' : 'off'}`;
