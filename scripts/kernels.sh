#!/usr/bin/env bash
# npm run test:kernels [-- NAME...]: boots each kernel of test/kernels/matrix in qemu and runs the kernel suite
# (vitest project `kernels`, test/kernels/*.test.ts) inside it. Nothing is installed on the host:
#   - kernels: `apt-get download` through a private apt configuration (its own sources, lists and cache under
#     $CACHE/apt; the host's apt is untouched), unpacked with dpkg-deb -x, depmod'ed in place;
#   - a tiny initramfs per kernel (busybox-static + the virtio modules the cloud kernels build as modules) that
#     mounts the disks and switch_roots into the rootfs;
#   - the rootfs: debootstrap --variant=minbase bookworm + the tools + this machine's node, built once and cached
#     by a hash of its recipe (package list, node version), turned into ext4 with mkfs.ext4 -d (no loop mounts);
#   - the project on its own disk (a copy: dist/, bpf/build, node_modules, src, checks, test), the kernel's
#     modules on another, results on a last one read back with debugfs (and the console log, ttyS0).
# Every boot has a timeout. Root is needed (debootstrap, depmod of foreign trees is fine as any user, but the
# rootfs must keep its owners). Run as root on Debian; qemu runs under nice -n 19 with at most 2 vCPUs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

CACHE=${XDP_DOCTOR_KERNEL_CACHE:-/var/cache/xdp-doctor-kernels}
BOOT_TIMEOUT=${XDP_DOCTOR_KERNEL_TIMEOUT:-900}   # seconds per kernel: boot + suite + poweroff
MEM=${XDP_DOCTOR_KERNEL_MEM:-3072}
SMP=${XDP_DOCTOR_KERNEL_SMP:-2}
MIRROR=${XDP_DOCTOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# The rootfs: the tools the ladder runs. clang is not needed: the host's built BPF objects go in with the project.
# linux-libc-dev as scripts/setup.sh installs it: bpftrace 0.17 on 5.10 compiles tracepoint structs against <linux/types.h>.
ROOTFS_PACKAGES="bpftool bpftrace iproute2 xdp-tools ethtool tcpdump tshark iputils-ping netcat-openbsd kmod procps util-linux linux-libc-dev"
ROOTFS_RECIPE=3   # bump when the way the rootfs is built changes

say() { printf 'test:kernels: %s\n' "$*" >&2; }
die() { printf 'test:kernels: ERROR: %s\n' "$*" >&2; exit 1; }

# ---- what the host needs --------------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root (debootstrap and the rootfs image keep root-owned files)"
need() { command -v "$1" >/dev/null || die "$1 is missing: apt-get install $2"; }
need qemu-system-x86_64 qemu-system-x86
need debootstrap debootstrap
need apt-get apt
need dpkg-deb dpkg
need mkfs.ext4 e2fsprogs
need debugfs e2fsprogs
need xz xz-utils
need timeout coreutils
[ -r "$KEYRING" ] || die "$KEYRING is missing: apt-get install debian-archive-keyring"
[ -f bpf/build/xdp_lb.o ] || die "bpf/build is not built: make -s -C bpf (or npm run setup)"
[ -d node_modules/vitest ] || die "node_modules is missing: npm ci"

# ---- the matrix -------------------------------------------------------------------------------------------------
declare -a NAMES=() SUITES=() PKGS=() EXTRAS=()
while read -r name suite pkg extras; do
  [ -z "${name:-}" ] || [ "${name#\#}" != "$name" ] && continue
  NAMES+=("$name"); SUITES+=("$suite"); PKGS+=("$pkg"); EXTRAS+=("${extras:-}")
done < test/kernels/matrix
want=("$@")
if [ ${#want[@]} -gt 0 ]; then
  for w in "${want[@]}"; do
    found=; for n in "${NAMES[@]}"; do [ "$n" = "$w" ] && found=1; done
    [ -n "$found" ] || die "no kernel \"$w\" in test/kernels/matrix (there: ${NAMES[*]})"
  done
fi
selected() { [ ${#want[@]} -eq 0 ] && return 0; for w in "${want[@]}"; do [ "$w" = "$1" ] && return 0; done; return 1; }

# ---- a private apt: its own sources, lists and cache -------------------------------------------------------------
APT_DIR=$CACHE/apt
mkdir -p "$APT_DIR"/etc "$APT_DIR"/state/lists/partial "$APT_DIR"/cache/archives/partial "$CACHE"/debs
{
  for s in $(printf '%s\n' "${SUITES[@]}" bookworm | sort -u); do
    echo "deb [signed-by=$KEYRING] $MIRROR $s main"
  done
} > "$APT_DIR/etc/sources.list.new"
APT_OPTS=(-o "Dir::Etc::sourcelist=$APT_DIR/etc/sources.list" -o Dir::Etc::sourceparts=- -o "Dir::State=$APT_DIR/state"
  -o "Dir::Cache=$APT_DIR/cache" -o Dir::State::status=/var/lib/dpkg/status -o APT::Sandbox::User=root)
if ! cmp -s "$APT_DIR/etc/sources.list.new" "$APT_DIR/etc/sources.list" \
   || [ -z "$(find "$APT_DIR/state/updated" -mmin -1440 2>/dev/null)" ]; then
  mv "$APT_DIR/etc/sources.list.new" "$APT_DIR/etc/sources.list"
  say "apt-get update (private lists in $APT_DIR)"
  apt-get "${APT_OPTS[@]}" update -qq || die "apt-get update of the kernel suites failed (is $MIRROR reachable?)"
  touch "$APT_DIR/state/updated"
else
  rm -f "$APT_DIR/etc/sources.list.new"
fi

# A package of a suite into $CACHE/debs; prints the .deb's path.
download() { # PKG SUITE
  local pkg=$1 suite=$2 ver deb
  ver=$(apt-cache "${APT_OPTS[@]}" show "$pkg/$suite" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
  [ -n "$ver" ] || die "package $pkg not found in $suite (apt-cache show $pkg/$suite)"
  deb=$(ls "$CACHE"/debs/"${pkg}_$(printf '%s' "$ver" | sed 's/:/%3a/')"_*.deb 2>/dev/null | head -1 || true)
  if [ -z "$deb" ]; then
    (cd "$CACHE/debs" && apt-get "${APT_OPTS[@]}" download -qq "$pkg=$ver" >&2) || die "apt-get download $pkg=$ver failed"
    deb=$(ls "$CACHE"/debs/"${pkg}_$(printf '%s' "$ver" | sed 's/:/%3a/')"_*.deb | head -1)
  fi
  printf '%s\n' "$deb"
}

# busybox-static for the initramfs (and its cpio to build it)
BB_DIR=$CACHE/busybox
if [ ! -x "$BB_DIR/bin/busybox" ]; then
  deb=$(download busybox-static bookworm)
  rm -rf "$BB_DIR"; mkdir -p "$BB_DIR"; dpkg-deb -x "$deb" "$BB_DIR"
  [ -x "$BB_DIR/bin/busybox" ] || die "busybox-static did not unpack bin/busybox"
fi
BB=$BB_DIR/bin/busybox

# ---- the kernel of a matrix line: vmlinuz, modules (depmod'ed), initramfs, modules disk ----------------------------
prepare_kernel() { # NAME SUITE PKG EXTRAS -> sets KDIR KREL
  local name=$1 suite=$2 pkg=$3 extras=$4 image deb
  image=$pkg
  if [[ $pkg != linux-image-[0-9]* ]]; then
    image=$(apt-cache "${APT_OPTS[@]}" show "$pkg/$suite" 2>/dev/null | sed -n 's/^Depends: \(linux-image-[^ ,]*\).*/\1/p' | head -1)
    [ -n "$image" ] || die "$pkg in $suite depends on no linux-image package"
  fi
  deb=$(download "$image" "$suite")
  KREL=${image#linux-image-}
  local suffix=
  [[ " $extras " == *" headers "* ]] && suffix=+headers
  KDIR=$CACHE/kernels/v3/$(basename "$deb" .deb)$suffix
  if [ ! -f "$KDIR/.ready" ]; then
    say "$name: unpacking $(basename "$deb")"
    rm -rf "$KDIR"; mkdir -p "$KDIR/pkg"
    dpkg-deb -x "$deb" "$KDIR/pkg"
    [ -f "$KDIR/pkg/boot/vmlinuz-$KREL" ] || die "$deb has no boot/vmlinuz-$KREL"
    # depmod from the rootfs (the host need not have kmod): the modules visit the tree for a moment.
    local visit=$ROOTFS_TREE/tmp/depmod
    rm -rf "$visit"; mkdir -p "$visit/lib/modules"
    mv "$KDIR/pkg/lib/modules/$KREL" "$visit/lib/modules/"
    chroot "$ROOTFS_TREE" depmod -b /tmp/depmod "$KREL" || die "depmod of $KREL failed"
    mv "$visit/lib/modules/$KREL" "$KDIR/pkg/lib/modules/"; rm -rf "$visit"
    # initramfs: busybox, the modules virtio_blk needs (built in on some kernels), an init that mounts the disks.
    local ird=$KDIR/initramfs m f
    mkdir -p "$ird"/{bin,dev,proc,sys,newroot,mods}
    cp "$BB" "$ird/bin/busybox"
    : > "$ird/mods/order"
    local moddir=$KDIR/pkg/lib/modules/$KREL
    add_mod() { # the module and its dependencies, dependencies first
      local rel deps d
      rel=$(grep -E "(^|/)$1\.ko(\.xz|\.zst|\.gz)?:" "$moddir/modules.dep" | head -1) || true
      [ -n "$rel" ] || { grep -qw "$1" "$moddir/modules.builtin" 2>/dev/null || die "$KREL has no module $1"; return 0; }
      deps=${rel#*:}; rel=${rel%%:*}
      for d in $deps; do add_mod "$(basename "$d" | sed 's/\.ko.*//')"; done
      local base; base=$(basename "$rel" | sed 's/\.ko.*//')
      grep -qx "$base" "$ird/mods/order" && return 0
      case $rel in
        *.xz) xz -dc "$moddir/$rel" > "$ird/mods/$base.ko" ;;
        *.zst) zstd -dqc "$moddir/$rel" > "$ird/mods/$base.ko" ;;
        *.gz) gzip -dc "$moddir/$rel" > "$ird/mods/$base.ko" ;;
        *) cp "$moddir/$rel" "$ird/mods/$base.ko" ;;
      esac
      echo "$base" >> "$ird/mods/order"
    }
    for m in virtio_pci virtio_blk; do add_mod "$m"; done
    cp test/kernels/initramfs-init "$ird/init"; chmod 755 "$ird/init"
    (cd "$ird" && find . | "$BB" cpio -o -H newc 2>/dev/null | gzip -1 > "$KDIR/initramfs.img") || die "initramfs of $KREL failed"
    # The kernel's disk: modules/ (mounted at /lib/modules/$KREL) and src/ (at /usr/src). "headers" in the matrix
    # line adds linux-headers-$KREL and its -common part there, as a user of that kernel installs them.
    local kdisk=$KDIR/disk
    mkdir -p "$kdisk/src"
    mv "$moddir" "$kdisk/modules"
    if [[ " $extras " == *" headers "* ]]; then
      local hdeb common
      hdeb=$(download "linux-headers-$KREL" "$suite")
      common=$(dpkg-deb -f "$hdeb" Depends | tr ',' '\n' | sed -n 's/^ *\(linux-headers-[^ ]*-common[^ ]*\).*/\1/p' | head -1)
      mkdir -p "$KDIR/headers"
      dpkg-deb -x "$hdeb" "$KDIR/headers"
      [ -n "$common" ] && dpkg-deb -x "$(download "$common" "$suite")" "$KDIR/headers"
      cp -a "$KDIR/headers/usr/src/." "$kdisk/src/"
      # build -> the arch headers, source -> the -common tree (bpftrace reads include/linux/kconfig.h there)
      cp -a "$KDIR/headers/lib/modules/$KREL/." "$kdisk/modules/"
      rm -rf "$KDIR/headers"
    fi
    mkfs.ext4 -q -F -L kernel -d "$kdisk" "$KDIR/modules.img" $(( $(du -sm "$kdisk" | cut -f1) * 12 / 10 + 16 ))M \
      || die "kernel disk image of $KREL failed"
    rm -rf "$kdisk"
    touch "$KDIR/.ready"
  fi
}

# ---- the rootfs, cached by a hash of its recipe ------------------------------------------------------------------
NODE=$(command -v node)
# The debootstrapped tree is keyed by its package list; the image also by node and the setup script run in it.
TREE_HASH=$(printf '%s\n' "$ROOTFS_RECIPE" "$ROOTFS_PACKAGES" | sha256sum | cut -c1-16)
ROOTFS_HASH=$(printf '%s\n' "$TREE_HASH" "$("$NODE" --version)" "$(sha256sum < test/kernels/rootfs-setup)" | sha256sum | cut -c1-16)
ROOTFS_IMG=$CACHE/rootfs-$ROOTFS_HASH.img
ROOTFS_TREE=$CACHE/rootfs-$TREE_HASH
if [ ! -f "$ROOTFS_IMG" ] || [ ! -f "$ROOTFS_TREE/.debootstrap-done" ]; then
  tree=$ROOTFS_TREE
  if [ ! -f "$tree/.debootstrap-done" ]; then
    say "debootstrap bookworm into $tree (once; a few minutes)"
    rm -rf "$tree"
    nice -n 10 debootstrap --variant=minbase --include="$(echo $ROOTFS_PACKAGES | tr ' ' ,)" bookworm "$tree" "$MIRROR" \
      > "$CACHE/debootstrap-$TREE_HASH.log" 2>&1 || die "debootstrap failed; see $CACHE/debootstrap-$TREE_HASH.log"
    touch "$tree/.debootstrap-done"
  fi
  install -m 755 "$NODE" "$tree/usr/local/bin/node"
  cp test/kernels/rootfs-setup "$tree/tmp/rootfs-setup"
  chroot "$tree" /bin/sh /tmp/rootfs-setup || die "rootfs setup failed"
  rm -f "$tree/tmp/rootfs-setup"
  say "rootfs image $ROOTFS_IMG"
  mkfs.ext4 -q -F -L rootfs -d "$tree" "$ROOTFS_IMG.tmp" $(( $(du -sm "$tree" | cut -f1) * 13 / 10 + 128 ))M || die "mkfs.ext4 of the rootfs failed"
  mv "$ROOTFS_IMG.tmp" "$ROOTFS_IMG"
  # Older recipes' images and trees are not used again.
  find "$CACHE" -maxdepth 1 -regextype posix-extended -regex '.*/rootfs-[0-9a-f]{16}(\.img)?' \
    ! -path "$ROOTFS_IMG" ! -path "$ROOTFS_TREE" -exec rm -rf {} +
fi

# ---- the project disk: a copy of the checkout (never modified) -----------------------------------------------------
WORK=$(mktemp -d "$CACHE/run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
stage=$WORK/project
mkdir -p "$stage"
cp -a package.json vitest.config.ts tsconfig.json tsconfig.test.json src checks test "$stage"/
# dist/ built from the sources being tested, into the copy (the checkout's own dist/ may be stale).
say "building dist/ into the project disk"
node node_modules/typescript/bin/tsc -p tsconfig.json --outDir "$stage/dist" >/dev/null \
  || { [ -f "$stage/dist/src/cli.js" ] || die "tsc produced no dist/src/cli.js"; }
mkdir -p "$stage/bpf" && cp -a bpf/build "$stage/bpf/"
cp -a "$(readlink -f node_modules)" "$stage/node_modules"
mkfs.ext4 -q -F -L project -d "$stage" "$WORK/project.img" $(( $(du -sm "$stage" | cut -f1) * 13 / 10 + 64 ))M || die "project image failed"
rm -rf "$stage"

# ---- KVM where it works, TCG otherwise ---------------------------------------------------------------------------
# /dev/kvm can exist without working nested virtualization (qemu then aborts setting MSRs): a kernel that prints
# its banner under KVM proves it works. XDP_DOCTOR_KVM=0 forces TCG.
ACCEL=
pick_accel() { # VMLINUZ
  [ -n "$ACCEL" ] && return 0
  ACCEL=tcg
  if [ "${XDP_DOCTOR_KVM:-auto}" != 0 ] && [ -w /dev/kvm ] && timeout 30 qemu-system-x86_64 -accel kvm -cpu host -m 256 \
       -display none -no-reboot -nodefaults -serial stdio -kernel "$1" -append "console=ttyS0 panic=-1" </dev/null 2>/dev/null \
       | grep -q -m1 'Linux version'; then ACCEL=kvm; fi
  say "accelerator: $ACCEL"
}
# TCG's "max" CPU without cmpxchg16b (and 5-level paging): qemu 7.2's TCG corrupts EFLAGS around SLUB's
# `cmpxchg16b %gs:(...)` in the 6.12 cloud kernel (measured: NULL dereferences in mas_wr_store_type and
# kmem_cache_alloc_noprof, double faults, a #DB with TF set); without cx16 SLUB takes its locked path.
TCG_CPU=${XDP_DOCTOR_KERNEL_CPU:-max,la57=off,cx16=off}
accel_args() { if [ "$ACCEL" = kvm ]; then echo "-accel kvm -cpu host"; else echo "-accel tcg,thread=${XDP_DOCTOR_KERNEL_TCG_THREAD:-multi} -cpu $TCG_CPU"; fi; }

# ---- boot each kernel -------------------------------------------------------------------------------------------
RESULTS_DIR=${XDP_DOCTOR_KERNEL_RESULTS:-$ROOT/.xdp-doctor/kernels}
mkdir -p "$RESULTS_DIR"
declare -a SUMMARY=()
failed=0
for i in "${!NAMES[@]}"; do
  name=${NAMES[$i]}
  selected "$name" || continue
  prepare_kernel "$name" "${SUITES[$i]}" "${PKGS[$i]}" "${EXTRAS[$i]}"
  pick_accel "$KDIR/pkg/boot/vmlinuz-$KREL"
  out=$RESULTS_DIR/$name
  rm -rf "$out"; mkdir -p "$out"
  mkfs.ext4 -q -F -L results "$WORK/results-$name.img" 256M
  say "$name: booting $KREL ($ACCEL, timeout ${BOOT_TIMEOUT}s; console in $out/console.log)"
  started=$(date +%s)
  set +e
  timeout --foreground -k 10 "$BOOT_TIMEOUT" nice -n 19 qemu-system-x86_64 $(accel_args) -smp "$SMP" -m "$MEM" \
    -display none -no-reboot -nodefaults -serial stdio -nic none \
    -kernel "$KDIR/pkg/boot/vmlinuz-$KREL" -initrd "$KDIR/initramfs.img" \
    -append "console=ttyS0 panic=-1 oops=panic quiet loglevel=5 xdpd.kernel=$name xdpd.filter=${XDP_DOCTOR_KERNEL_FILTER:-}" \
    -drive "file=$ROOTFS_IMG,if=virtio,format=raw,snapshot=on" \
    -drive "file=$WORK/project.img,if=virtio,format=raw,snapshot=on" \
    -drive "file=$KDIR/modules.img,if=virtio,format=raw,snapshot=on" \
    -drive "file=$WORK/results-$name.img,if=virtio,format=raw" \
    < /dev/null > "$out/console.log" 2>&1
  rc=$?
  set -e
  took=$(( $(date +%s) - started ))
  debugfs -R "rdump / $out" "$WORK/results-$name.img" >/dev/null 2>&1 || true
  rm -rf "$out/lost+found"
  status=$(cat "$out/status" 2>/dev/null || echo "")
  if [ $rc = 124 ] || [ $rc = 137 ]; then
    verdict="TIMEOUT after ${BOOT_TIMEOUT}s"
  elif [ -z "$status" ]; then
    verdict="no result (qemu exit $rc; the suite did not finish: see $out/console.log)"
  elif [ "$status" = 0 ]; then
    verdict="passed"
  else
    verdict="FAILED (suite exit $status)"
  fi
  [ "$verdict" = passed ] || failed=1
  # XDP_DOCTOR_KERNEL_RECORD=1: the real output recorded in the VM becomes test/recordings/kernels/NAME/.
  if [ "${XDP_DOCTOR_KERNEL_RECORD:-0}" = 1 ] && [ -d "$out/recordings" ]; then
    rm -rf "test/recordings/kernels/$name"; mkdir -p test/recordings/kernels
    cp -r "$out/recordings" "test/recordings/kernels/$name"
    say "$name: recordings copied to test/recordings/kernels/$name"
  fi
  SUMMARY+=("$name ($KREL): $verdict in ${took}s")
  say "$name: $verdict in ${took}s"
done
say "summary:"
for s in "${SUMMARY[@]}"; do say "  $s"; done
exit $failed
