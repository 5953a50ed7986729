// What a BPF object file holds, read from its ELF headers without loading it: the programs (function name and
// section, as libbpf and iproute2 select them), the license, and whether it carries BTF and line info. The
// attach preconditions need this before anything touches the kernel: a `--prog` that is not in the object, a
// program declared frags-aware (section xdp.frags), a non-GPL license next to GPL-only helpers.

export interface BpfProgramSymbol { name: string; section: string }

export interface BpfObjectInfo {
  programs: BpfProgramSymbol[];
  license?: string;
  /** A .BTF section: types for map dumps and CO-RE. */
  btf: boolean;
  /** A .BTF.ext section: line info, so the verifier's log names source lines (`; ... @ file.c:N`). */
  lineInfo: boolean;
}

export class ElfError extends Error {}

const SHT_SYMTAB = 2;
const SHF_EXECINSTR = 0x4;
const STT_FUNC = 2;
const STB_GLOBAL = 1;

interface ElfSection { nameOff: number; type: number; flags: number; offset: number; size: number; link: number; entsize: number }

/** The ELF64 section table with names, and the readers the section parsers share. */
function readElf(buf: Buffer) {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) throw new ElfError('not an ELF file');
  if (buf[4] !== 2) throw new ElfError('not a 64-bit ELF file (BPF objects are ELF64)');
  const le = buf[5] === 1;
  const u16 = (o: number) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o));
  const shoff = u64(0x28);
  const shentsize = u16(0x3a);
  const shnum = u16(0x3c);
  const shstrndx = u16(0x3e);
  if (shentsize < 64 || shoff + shnum * shentsize > buf.length) throw new ElfError('section headers lie outside the file');
  const sections: ElfSection[] = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize;
    return { nameOff: u32(o), type: u32(o + 4), flags: u64(o + 8), offset: u64(o + 24), size: u64(o + 32), link: u32(o + 40), entsize: u64(o + 56) };
  });
  const cstr = (off: number) => {
    const end = buf.indexOf(0, off);
    return buf.toString('latin1', off, end < 0 ? buf.length : end);
  };
  const strtab = sections[shstrndx];
  if (!strtab) throw new ElfError('no section name table');
  const names = sections.map((s) => cstr(strtab.offset + s.nameOff));
  const byName = (n: string) => sections[names.indexOf(n)];
  return { u16, u32, cstr, sections, names, byName };
}

export function parseBpfObject(buf: Buffer): BpfObjectInfo {
  const { u16, u32, cstr, sections, names, byName } = readElf(buf);

  const programs: BpfProgramSymbol[] = [];
  const symtab = sections.find((s) => s.type === SHT_SYMTAB);
  if (symtab && symtab.entsize >= 24) {
    const symstr = sections[symtab.link];
    for (let o = symtab.offset; o + 24 <= symtab.offset + symtab.size; o += symtab.entsize) {
      const info = buf[o + 4]!;
      const shndx = u16(o + 6);
      const sec = sections[shndx];
      if ((info & 0xf) !== STT_FUNC || info >> 4 !== STB_GLOBAL || !sec || !(sec.flags & SHF_EXECINSTR) || !symstr) continue;
      if (names[shndx] === '.text') continue; // subprograms, not entry points
      programs.push({ name: cstr(symstr.offset + u32(o)), section: names[shndx]! });
    }
  }
  const lic = byName('license');
  return {
    programs,
    ...(lic ? { license: cstr(lic.offset) } : {}),
    btf: Boolean(byName('.BTF')),
    lineInfo: Boolean(byName('.BTF.ext')),
  };
}

/** One record of the object's BTF line info: the instruction (index within its section) a source line starts at. */
export interface LineRecord { section: string; insn: number; file: string; line: number; text: string }

/**
 * The line info clang writes into .BTF.ext (-g): for each code section, which instruction each source line starts
 * at, with the file, line number and the line's text (offsets into .BTF's string table). Kernels before 6.4 print
 * only the text before an instruction (`; if (x)`); this is where its file and line number are.
 * Layout: include/uapi/linux/btf.h (struct btf_header) and tools/lib/bpf/libbpf_internal.h (btf_ext_header,
 * bpf_line_info: insn_off in bytes, file_name_off, line_off, line_col = line << 10 | column).
 */
export function lineInfo(buf: Buffer): LineRecord[] {
  const { u32, cstr, byName } = readElf(buf);
  const btf = byName('.BTF');
  const ext = byName('.BTF.ext');
  if (!btf || !ext || btf.size < 24 || ext.size < 32) return [];
  const strings = btf.offset + u32(btf.offset + 4) + u32(btf.offset + 16);
  const str = (off: number) => cstr(strings + off);
  const lineStart = ext.offset + u32(ext.offset + 4) + u32(ext.offset + 16);
  const lineEnd = lineStart + u32(ext.offset + 20);
  if (lineEnd > ext.offset + ext.size || lineEnd <= lineStart) return [];
  const recSize = u32(lineStart);
  if (recSize < 16) throw new ElfError(`line info records of ${recSize} bytes (at least 16 expected)`);
  const out: LineRecord[] = [];
  for (let o = lineStart + 4; o + 8 <= lineEnd;) {
    const section = str(u32(o));
    const count = u32(o + 4);
    o += 8;
    for (let i = 0; i < count && o + recSize <= lineEnd; i++, o += recSize) {
      out.push({ section, insn: u32(o) / 8, file: str(u32(o + 4)), line: u32(o + 12) >>> 10, text: str(u32(o + 8)) });
    }
  }
  return out;
}

/** Section names the kernel runs as XDP, frags-aware or not (libbpf's section table: "xdp", "xdp.frags", "xdp/…"). */
export function isXdpSection(section: string): boolean {
  return /^xdp(\.frags)?(\/|$)/.test(section);
}

export function isFragsSection(section: string): boolean {
  return /^xdp\.frags(\/|$)/.test(section);
}

/** License strings the kernel treats as GPL-compatible (include/linux/license.h license_is_gpl_compatible()). */
export function gplCompatible(license: string | undefined): boolean {
  return ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license ?? '');
}
