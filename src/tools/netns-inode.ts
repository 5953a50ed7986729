// Which network namespace a ref is, by its nsfs inode (the number the kernel reports as a netns: skb drops, /proc's
// "net:[INODE]"). On the machine's own processes it is one stat(2) of /run/netns/NAME (a bind mount of the
// namespace's nsfs file) or /proc/PID/ns/net: no process. Otherwise, and when stat cannot tell, a process inside
// the namespace is asked (`readlink /proc/self/ns/net` through nsenter), as fakes and recordings expect.
import { stat } from 'node:fs/promises';
import type { Exec } from './exec.js';
import { netnsPath, type NetnsRef } from './netns.js';

/** The inode as a decimal string; undefined when neither stat nor a process inside could tell. */
export async function netnsInode(exec: Exec, netns?: NetnsRef): Promise<string | undefined> {
  if (exec.real) {
    const st = await stat(netns ? netnsPath(netns) : '/proc/self/ns/net').catch(() => undefined);
    if (st) return String(st.ino);
  }
  const r = await exec.run(['readlink', '/proc/self/ns/net'], { netns, timeoutMs: 5000 }).catch(() => undefined);
  return /^net:\[(\d+)\]/.exec(r?.stdout.trim() ?? '')?.[1];
}
