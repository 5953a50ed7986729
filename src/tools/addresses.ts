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
