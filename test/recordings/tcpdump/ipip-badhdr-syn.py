# How test/recordings/tcpdump/ipip-badhdr-syn.txt was recorded (root, Linux 6.18, throwaway netns ut<pid>):
#   ip netns add utN; in it: veth u0<->u1 up, no addresses;
#   tcpdump -i u0 -n -l -tt --immediate-mode ip   while `python3 ipip-badhdr-syn.py <u0 mac> <u1 mac>` runs in utN.
# Sends one Ethernet frame out of u1 (AF_PACKET) carrying IPIP whose OUTER tot_len is written in host
# order (no htons), the blog's bug: 10.111.221.11 > 10.111.222.11, inner SYN 10.111.220.11:35562 > 192.168.10.1:50002.
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
def iphdr(tot, proto, src, dst, swap=False):
    h = struct.pack('!BBHHHBBH4s4s', 0x45, 0, tot, 1, 0x4000, 64, proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    if swap: h = h[:2] + struct.pack('<H', tot) + h[4:]
    return h[:10] + struct.pack('!H', csum(h)) + h[12:]
isrc, idst = '10.111.220.11', '192.168.10.1'
tcp = struct.pack('!HHIIBBHHH', 35562, 50002, 2506769298, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = socket.inet_aton(isrc) + socket.inet_aton(idst) + struct.pack('!BBH', 0, 6, len(tcp))
tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
inner = iphdr(20 + len(tcp), 6, isrc, idst) + tcp
outer = iphdr(20 + len(inner), 4, '10.111.221.11', '10.111.222.11', swap=True)
dmac, smac = bytes.fromhex(sys.argv[1].replace(':', '')), bytes.fromhex(sys.argv[2].replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('u1', 0))
s.send(dmac + smac + b'\x08\x00' + outer + inner)
