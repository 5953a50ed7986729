// IPv4 addresses as the u32 a BPF map holds and MACs as the byte arrays bpftool prints, both ways. One copy for
// the checks that decode map values and the lab that writes and shows its own.

/** "10.111.221.11" → 175103243 (the first octet in the high byte); throws on anything else. */
export function ipv4ToU32(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** The inverse of ipv4ToU32: octets from the high byte down. */
export function ipv4Octets(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

export function u32ToIpv4(n: number): string {
  return ipv4Octets(n).join('.');
}

/** [0xce, 0x43, ...] → "ce:43:..." */
export function macOf(bytes: number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * An IPv6 address as its eight 16-bit words ("fd00::1" → [0xfd00, 0, …, 1]; an IPv4 tail is two words);
 * undefined when it is not one (two "::", too many or too few groups, a group that is not hex).
 */
export function ipv6Words(ip: string): number[] | undefined {
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const groups = (x: string): number[] | undefined => {
    if (!x) return [];
    const parts = x.split(':');
    const last = parts.at(-1)!;
    const v4 = last.includes('.') ? last.split('.').map(Number) : undefined;
    if (v4 && (v4.length !== 4 || v4.some((o) => !Number.isInteger(o) || o < 0 || o > 255))) return undefined;
    const hex = v4 ? parts.slice(0, -1) : parts;
    if (!hex.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
    return [...hex.map((g) => parseInt(g, 16)), ...(v4 ? [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!] : [])];
  };
  const head = groups(halves[0]!), tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const fill = 8 - head.length - tail.length;
  return fill >= 1 ? [...head, ...Array(fill).fill(0), ...tail] : undefined;
}

/** Eight 16-bit words in the canonical short form (RFC 5952: lower case, the longest run of two or more zeros as ::). */
export function ipv6Text(words: number[]): string {
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  return best < 0 ? hex.join(':') : `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The IPv6 address in 16 bytes (network order) at `offset`, in the canonical short form. */
export function ipv6FromBytes(bytes: ArrayLike<number>, offset = 0): string {
  return ipv6Text(Array.from({ length: 8 }, (_, i) => (bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!));
}

/** An IPv6 address as its 16 bytes, network order. */
export const ipv6Bytes = (words: number[]): number[] => words.flatMap((w) => [w >> 8, w & 255]);
