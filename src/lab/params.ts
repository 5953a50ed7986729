// The LB's one map entry, `xdp_params_array[0]` = { dst_mac[6], pad[2], daddr, saddr, vip } (20 bytes), as the
// hex bytes `bpftool map update ... value hex` takes. The program compares addresses after bpf_ntohl, so the
// map holds them in HOST byte order (the blog's dump: 10.111.221.11 = 175103243), i.e. little-endian on x86.
import { endianness } from 'node:os';
import { ipv4ToU32, ipv6Bytes, ipv6Words } from '../tools/addresses.js';
import { LB_IP, LB_IP6, REAL_IP, REAL_IP6, VIP, VIP6, pins } from './topology.js';
import type { Step } from './steps.js';

const PARAMS_VALUE_SIZE = 20;
/** xdp_params6_array's value: dst_mac[6], pad[2], then daddr, saddr, vip as 16 bytes each, network order. */
const PARAMS6_VALUE_SIZE = 56;

function u32HostBytes(v: number): number[] {
  const b = Buffer.alloc(4);
  if (endianness() === 'LE') b.writeUInt32LE(v); else b.writeUInt32BE(v);
  return [...b];
}

function macBytes(mac: string): number[] {
  const parts = mac.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{2}$/.test(p))) throw new Error(`not a MAC address: ${mac}`);
  return parts.map((p) => parseInt(p, 16));
}

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0'));

interface LbParams { dstMac: string; daddr: string; saddr: string; vip: string }

function labParams(g1Mac: string): LbParams {
  return { dstMac: g1Mac, daddr: REAL_IP, saddr: LB_IP, vip: VIP };
}

function paramsValueHex(p: LbParams): string[] {
  return hex([...macBytes(p.dstMac), 0, 0, ...u32HostBytes(ipv4ToU32(p.daddr)), ...u32HostBytes(ipv4ToU32(p.saddr)),
    ...u32HostBytes(ipv4ToU32(p.vip))]);
}

/** key 0 as the program declares it: a 4-byte __u32 (the blog's loader wrote 8 bytes and missed it). */
export function writeParamsArgv(prefix: string, value: string[]): string[] {
  return ['bpftool', 'map', 'update', 'pinned', pins(prefix).params, 'key', 'hex', '00', '00', '00', '00', 'value', 'hex', ...value];
}

export function writeParamsStep(prefix: string, g1Mac: string): Step {
  return { argv: writeParamsArgv(prefix, paramsValueHex(labParams(g1Mac))) };
}

export const ZERO_PARAMS: string[] = hex(new Array(PARAMS_VALUE_SIZE).fill(0));

function ipv6WireBytes(ip: string): number[] {
  const words = ipv6Words(ip);
  if (!words) throw new Error(`not an IPv6 address: ${ip}`);
  return ipv6Bytes(words);
}

/** The IPv6 params of a `lab up --ipv6` lab: the same next hop, the real, the LB and the VIP over IPv6. */
export function params6ValueHex(g1Mac: string): string[] {
  return hex([...macBytes(g1Mac), 0, 0, ...ipv6WireBytes(REAL_IP6), ...ipv6WireBytes(LB_IP6), ...ipv6WireBytes(VIP6)]);
}

export function writeParams6Argv(prefix: string, value: string[]): string[] {
  return ['bpftool', 'map', 'update', 'pinned', pins(prefix).params6, 'key', 'hex', '00', '00', '00', '00', 'value', 'hex', ...value];
}

export function writeParams6Step(prefix: string, g1Mac: string): Step {
  return { argv: writeParams6Argv(prefix, params6ValueHex(g1Mac)) };
}

export const ZERO_PARAMS6: string[] = hex(new Array(PARAMS6_VALUE_SIZE).fill(0));
