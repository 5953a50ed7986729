// bpftool argv for loading, pinning and attaching the lab's XDP programs. Programs are pinned under
// /sys/fs/bpf/PREFIX (bpffs is global, so these run anywhere); attaching resolves the device name in the
// caller's namespace, so attach steps carry the namespace of the interface.
import type { Step } from './steps.js';
import { nsRef, ifaceNode, pins } from './topology.js';

/** First load of the LB: its maps are pinned so later loads (and the params write) reach the same map. */
export function loadLbWithPinnedMaps(prefix: string, obj: string): Step {
  const p = pins(prefix);
  return { argv: ['bpftool', 'prog', 'load', obj, p.lbProg, 'type', 'xdp', 'pinmaps', p.lbMaps] };
}

/** A replacement LB object that keeps the params already written: reuse both pinned params maps by name. */
export function loadLbReusingMap(prefix: string, obj: string, pin: string): Step {
  const p = pins(prefix);
  return {
    argv: ['bpftool', 'prog', 'load', obj, pin, 'type', 'xdp', 'map', 'name', 'xdp_params_array', 'pinned', p.params,
      'map', 'name', 'xdp_params6_array', 'pinned', p.params6],
  };
}

export function loadProg(obj: string, pin: string): Step {
  return { argv: ['bpftool', 'prog', 'load', obj, pin, 'type', 'xdp'] };
}

/** Native (driver) mode on purpose: veth's native XDP is where the blog's XDP_TX bug lives. */
export function attachNative(prefix: string, pin: string, iface: string, overwrite = false): Step {
  return {
    argv: ['bpftool', 'net', 'attach', 'xdpdrv', 'pinned', pin, 'dev', iface, ...(overwrite ? ['overwrite'] : [])],
    netns: nsRef(prefix, ifaceNode(iface)),
  };
}

export function detachNative(prefix: string, iface: string): Step {
  return { argv: ['bpftool', 'net', 'detach', 'xdpdrv', 'dev', iface], netns: nsRef(prefix, ifaceNode(iface)) };
}

/** `rm -f` on a pin: unpinning drops the file's reference; an attached program stays alive through its link. */
export function unpin(path: string): Step {
  return { argv: ['rm', '-f', path] };
}
