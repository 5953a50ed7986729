// `ethtool -l IFACE`: the queue (channel) counts a device has now and at most. veth reports RX and TX
// separately (no combined channels); the counts are what veth_xdp_set() compares (real_num_rx/tx_queues).

export interface Channels { rx?: number; tx?: number; combined?: number }
export interface ChannelReport { max: Channels; current: Channels }

export function parseEthtoolChannels(text: string): ChannelReport | undefined {
  const [, maxPart, curPart] = text.split(/^(?:Pre-set maximums|Current hardware settings):\s*$/m);
  if (maxPart === undefined || curPart === undefined) return undefined;
  const read = (part: string): Channels => {
    const out: Channels = {};
    for (const [key, name] of [['RX', 'rx'], ['TX', 'tx'], ['Combined', 'combined']] as const) {
      const m = new RegExp(`^${key}:\\s*(\\d+)\\s*$`, 'm').exec(part);
      if (m) out[name] = Number(m[1]);
    }
    return out;
  };
  return { max: read(maxPart), current: read(curPart) };
}
