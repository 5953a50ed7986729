// Facts the built-in rungs publish for later rungs (and for plugins: read them with ctx.facts.get(KEY)).
import type { NetnsRef } from '../src/engine/types.js';
import type { MapInfo } from '../src/tools/bpftool.js';

export const PREFLIGHT = 'preflight';
export const INVENTORY = 'inventory';

export interface PreflightFacts {
  root: boolean;
  tracefs?: string;
  bpffs: boolean;
  btf: boolean;
  lockdown?: string;
  /** fentry/fexit programs load here (xdpdump's entry/exit capture needs them). */
  fentry: boolean | 'unknown';
  fentryError?: string;
  tools: Record<string, string | null>;
}

export interface InventoryFacts {
  iface: string;
  ifindex: number;
  netns?: NetnsRef;
  mode?: string;
  progId?: number;
  progName?: string;
  tag?: string;
  btfId?: number;
  maps: MapInfo[];
  kind?: string;
  mtu?: number;
  peer?: {
    ifname: string; ifindex: number; netns?: NetnsRef; netnsName?: string;
    xdp?: { mode: string; progId: number; progName?: string }; gro?: boolean; up: boolean; mtu?: number;
  };
}
