// `ethtool -k IFACE`: each feature, on or off, and whether the driver lets it change ("[fixed]"). virtio_net
// shows what the host negotiated this way: rx-gro-hw is changeable only with VIRTIO_NET_F_CTRL_GUEST_OFFLOADS.

export interface Feature { on: boolean; fixed: boolean }

export function parseEthtoolFeatures(text: string): Map<string, Feature> {
  const out = new Map<string, Feature>();
  for (const line of text.split('\n')) {
    const m = /^\s*([\w-]+):\s+(on|off)(\s+\[fixed\])?\s*$/.exec(line);
    if (m) out.set(m[1]!, { on: m[2] === 'on', fixed: Boolean(m[3]) });
  }
  return out;
}
