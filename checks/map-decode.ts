// Turns bpftool's BTF-formatted map values into what an operator reads: IPs as dotted quads, MACs as
// aa:bb:.., and flags fields a program needs that are zero. Pure; tested on recorded dumps.
import { ipv4Octets, ipv6FromBytes, macOf } from '../src/plugins/api.js';

export interface DecodedField { path: string; raw: unknown; shown: string; kind: 'ip' | 'mac' | 'number' | 'other'; zero: boolean }

const IP_NAME = /(^|_)(addr|daddr|saddr|ip|vip|src|dst|dip|sip|gw|gateway|nexthop|real|lb)(_|$|\d)|addr$|ip$/i;
const MAC_NAME = /mac|hwaddr|ether|lladdr/i;
const FILLER = /^(pad|_?pad\d*|reserved|_?unused|__pad.*|flags|rsvd)$/i;

const isPrivate = (a: number[]) => a[0] === 10 || (a[0] === 172 && a[1]! >= 16 && a[1]! < 32) || (a[0] === 192 && a[1] === 168);

/** A u32 IP from a map. Programs store host or network order; choose the reading that is a private address. */
export function decodeIp(n: number, order: 'host' | 'network' | 'auto' = 'auto'): { text: string; order: 'host' | 'network' } {
  const host = ipv4Octets(n);
  const net = [...host].reverse();
  const pick = order === 'network' || (order === 'auto' && !isPrivate(host) && isPrivate(net)) ? 'network' : 'host';
  return { text: (pick === 'host' ? host : net).join('.'), order: pick };
}

export const decodeMac = macOf;

/**
 * The 16 bytes of a struct in6_addr as bpftool's BTF formatting shows it: the union `in6_u` with its byte view
 * `u6_addr8` (also the views u6_addr16/32, which say the same).
 */
function in6Bytes(raw: unknown): number[] | undefined {
  const u = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)['in6_u'] ?? raw : undefined;
  const b = u && typeof u === 'object' ? (u as Record<string, unknown>)['u6_addr8'] : undefined;
  return Array.isArray(b) && b.length === 16 && b.every((x) => typeof x === 'number') ? (b as number[]) : undefined;
}

export function decodeValue(value: unknown, prefix = ''): DecodedField[] {
  const out: DecodedField[] = [];
  if (value === null || typeof value !== 'object') {
    out.push({ path: prefix || 'value', raw: value, shown: String(value), kind: typeof value === 'number' ? 'number' : 'other', zero: value === 0 });
    return out;
  }
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${name}` : name;
    if (Array.isArray(raw) && raw.length === 6 && raw.every((b) => typeof b === 'number') && MAC_NAME.test(name)) {
      out.push({ path, raw, shown: decodeMac(raw as number[]), kind: 'mac', zero: (raw as number[]).every((b) => b === 0) });
    } else if (typeof raw === 'number' && IP_NAME.test(name) && raw >= 0 && raw <= 0xffffffff) {
      out.push({ path, raw, shown: raw === 0 ? '0.0.0.0 (0)' : decodeIp(raw).text, kind: 'ip', zero: raw === 0 });
    } else if (typeof raw === 'number') {
      out.push({ path, raw, shown: String(raw), kind: 'number', zero: raw === 0 });
    } else if (in6Bytes(raw)) {
      const b = in6Bytes(raw)!;
      out.push({ path, raw: b, shown: ipv6FromBytes(b), kind: 'ip', zero: b.every((x) => x === 0) });
    } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      out.push(...decodeValue(raw, path));
    } else {
      out.push({ path, raw, shown: JSON.stringify(raw), kind: 'other', zero: Array.isArray(raw) && raw.every((x) => x === 0) });
    }
  }
  return out;
}

/**
 * The address family a configuration map is for, when all its address fields agree: 6 for in6_addr fields, 4 for
 * u32 ones; undefined with no address field or a mix (a dual-stack map configures both).
 */
export function addressFamily(fields: DecodedField[]): 4 | 6 | undefined {
  const families = new Set(fields.filter((f) => f.kind === 'ip').map((f) => (Array.isArray(f.raw) ? 6 : 4)));
  return families.size === 1 ? [...families][0] as 4 | 6 : undefined;
}

/** Fields that look like configuration the program needs (addresses, MACs) and are zero. */
export function unsetFields(fields: DecodedField[]): DecodedField[] {
  return fields.filter((f) => f.zero && (f.kind === 'ip' || f.kind === 'mac') && !FILLER.test(f.path.split('.').pop() ?? ''));
}

/** Compare what is in the map with what the operator expected (--expect MAP.FIELD=VALUE). */
export function matchesExpectation(field: DecodedField, expected: string): boolean {
  const e = expected.trim().toLowerCase();
  if (field.shown.toLowerCase() === e || String(field.raw) === e) return true;
  // Hex is how the program's own %x printk lines show values (addresses included).
  if (/^0x[0-9a-f]+$/i.test(e) && typeof field.raw === 'number') return Number(e) === field.raw;
  if (field.kind === 'ip' && typeof field.raw === 'number') return decodeIp(field.raw, 'host').text === e || decodeIp(field.raw, 'network').text === e;
  if (field.kind === 'mac') return field.shown === e.replace(/-/g, ':');
  return false;
}
