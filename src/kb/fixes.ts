// Fixes as argv lists with their undo, built from what the ladder learned (interface, peer, program id).
// Rungs attach these to findings; --fix and the wizard's `f` apply the first one after consent.
import type { Fix, NetnsRef } from '../engine/types.js';
import { bpfBuildSteps, bpfObject } from '../tools/bpf-objects.js';

export interface VethContext {
  iface: string; netns?: NetnsRef; progId?: number;
  /** The program is attached through a bpf_link: netlink cannot detach it, only its holder can. */
  linkOwned?: boolean;
  peer: { ifname: string; netns?: NetnsRef };
}

export function vethPeerFixes(v: VethContext): Fix[] {
  const keepPin = `/sys/fs/bpf/xdp-doctor-keep-${v.progId ?? 'prog'}`;
  const fixes: Fix[] = [{
    title: `attach a dummy XDP_PASS program to the veth peer ${v.peer.ifname} (gives its queue NAPI, so XDP_TX frames are received)`,
    // A package without a usable xdp_pass.o (big-endian host, object missing) builds it first, in the open.
    commands: [...bpfBuildSteps('xdp_pass.o'), ['ip', 'link', 'set', 'dev', v.peer.ifname, 'xdpdrv', 'obj', bpfObject('xdp_pass.o'), 'sec', 'xdp']],
    undo: [['ip', 'link', 'set', 'dev', v.peer.ifname, 'xdpdrv', 'off']],
    netns: v.peer.netns,
    verify: 'probe',
  }];
  if (v.progId !== undefined && !v.linkOwned) {
    fixes.push({
      title: `run the program in generic mode on ${v.iface} (xdpgeneric: XDP_TX goes through the stack; slower)`,
      // Pin first: detaching the native attachment must not free a program only the attachment held.
      commands: [
        ['bpftool', 'prog', 'pin', 'id', String(v.progId), keepPin],
        ['ip', 'link', 'set', 'dev', v.iface, 'xdpdrv', 'off'],
        ['bpftool', 'net', 'attach', 'xdpgeneric', 'pinned', keepPin, 'dev', v.iface],
      ],
      undo: [
        ['ip', 'link', 'set', 'dev', v.iface, 'xdpgeneric', 'off'],
        ['bpftool', 'net', 'attach', 'xdpdrv', 'pinned', keepPin, 'dev', v.iface],
        ['rm', '-f', keepPin],
      ],
      netns: v.netns,
      verify: 'probe',
    });
  }
  fixes.push({
    title: 'replace the veth link with macvlan (bridge mode): macvlan has no native XDP, the program runs generic and XDP_TX works (the blog\'s fix)',
    commands: [],
  });
  return fixes;
}

export function txChecksumFixes(sender?: { iface: string; netns?: NetnsRef }, target?: VethContext): Fix[] {
  const fixes: Fix[] = [];
  if (sender) {
    fixes.push({
      title: `turn off TX checksum offload on the sender ${sender.iface} so it sends complete checksums`,
      commands: [['ethtool', '-K', sender.iface, 'tx', 'off']],
      undo: [['ethtool', '-K', sender.iface, 'tx', 'on']],
      netns: sender.netns,
      verify: 'probe',
    });
  }
  if (target) fixes.push(...vethPeerFixes(target).filter((f) => f.commands.some((c) => c.includes('xdpgeneric'))));
  return fixes;
}

/** A dummy XDP_PASS program on a device, so a driver that takes redirected frames only while it runs one takes them. */
export function xdpPassFix(ifname: string, netns?: NetnsRef): Fix {
  return {
    title: `attach a dummy XDP_PASS program to ${ifname} (drivers such as virtio_net and i40e accept redirected frames only while they run an XDP program)`,
    commands: [...bpfBuildSteps('xdp_pass.o'), ['ip', 'link', 'set', 'dev', ifname, 'xdpdrv', 'obj', bpfObject('xdp_pass.o'), 'sec', 'xdp']],
    undo: [['ip', 'link', 'set', 'dev', ifname, 'xdpdrv', 'off']],
    netns,
    verify: 'probe',
  };
}
