// The packets of a classic pcap file (what `tcpdump -w` writes), as Buffers: enough for the baseline's replay.

export function readPcap(buf) {
  if (buf.length < 24) return [];
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const be = buf.readUInt32BE(0) === 0xa1b2c3d4 || buf.readUInt32BE(0) === 0xa1b23c4d;
  if (!le && !be) throw new Error(`not a pcap file (magic ${magic.toString(16)})`);
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const out = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const incl = u32(off + 8);
    off += 16;
    if (off + incl > buf.length) break; // cut short by the kill
    out.push(buf.subarray(off, off + incl));
    off += incl;
  }
  return out;
}
