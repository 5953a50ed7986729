#!/usr/bin/env bash
# Everything xdp-doctor needs on a fresh Debian machine, as root: Debian packages, npm dependencies,
# the BPF objects and the TypeScript build. Idempotent: when everything is present it only checks and
# rebuilds what changed. Fails loudly, naming what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (xdp-doctor loads BPF programs and builds network namespaces)"

# Debian package -> a binary or file that proves it is installed.
declare -A PKGS=(
  [clang]=/usr/bin/clang
  [llvm]=/usr/bin/llvm-objdump
  [make]=/usr/bin/make
  [gcc]=/usr/bin/gcc
  [bpftool]=/usr/sbin/bpftool
  [libbpf-dev]=/usr/include/bpf/bpf_helpers.h
  [linux-libc-dev]=/usr/include/linux/bpf.h
  [xdp-tools]=/usr/sbin/xdpdump
  [tcpdump]=/usr/bin/tcpdump
  [ethtool]=/usr/sbin/ethtool
  [bpftrace]=/usr/bin/bpftrace
  [tshark]=/usr/bin/tshark
  [iputils-ping]=/usr/bin/ping
  [netcat-openbsd]=/usr/bin/nc.openbsd
  [iproute2]=/usr/sbin/ip
  [util-linux]=/usr/bin/nsenter
  [tmux]=/usr/bin/tmux
  [procps]=/usr/bin/pgrep
  # The fleet e2e: a real sshd per namespace host, a real ssh client and ansible-playbook on the controller.
  [openssh-server]=/usr/sbin/sshd
  [openssh-client]=/usr/bin/ssh-keygen
  [ansible-core]=/usr/bin/ansible-playbook
)
missing=()
for pkg in "${!PKGS[@]}"; do [ -e "${PKGS[$pkg]}" ] || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for pkg in "${!PKGS[@]}"; do
  [ -e "${PKGS[$pkg]}" ] || die "package $pkg did not install ${PKGS[$pkg]}"
done

# Kernel file systems the ladder reads; mounted here when absent.
mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf || die "cannot mount bpffs on /sys/fs/bpf"
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs"
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug || die "cannot mount debugfs"

# npm dependencies: install when absent or when the lockfile changed since the last install.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

say "building BPF objects"
make -s -C bpf
say "building TypeScript"
npx --no-install tsc -p tsconfig.json
say "bundling the interactive path (Ink's first frame)"
node scripts/bundle-wizard.mjs
say "ready"
