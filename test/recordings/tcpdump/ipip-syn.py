# How test/recordings/tcpdump/ipip-syn.txt was recorded (root, Linux 6.18, throwaway netns ut<pid>):
#   ip netns add utN; in it: veth u0<->u1 up, 10.111.221.11/24 on u0, a permanent neighbour 10.111.221.1
#   (u1's MAC) and `ip route add 10.111.222.0/24 via 10.111.221.1 dev u0`;
#   tcpdump -i u0 -n -l -tt --immediate-mode ip   while this script runs in utN; then ip netns del utN.
# (The kernel has no ipip module here, so the outer header comes from a raw socket of protocol 4.)
import socket, struct
def csum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
src, dst = socket.inet_aton('10.111.220.11'), socket.inet_aton('192.168.10.1')
tcp = struct.pack('!HHIIBBHHH', 35562, 50002, 2506769298, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = src + dst + struct.pack('!BBH', 0, 6, len(tcp))
tcp = tcp[:16] + struct.pack('!H', csum(pseudo + tcp)) + tcp[18:]
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
s.sendto(ip + tcp, ('10.111.222.11', 0))
