#!/usr/bin/env bash
# install-deps.sh [--bench]: install, with apt-get, the Debian 12 packages
# husk needs to build and test (and, with --bench, to benchmark against crun
# and runc). Does nothing when all of them are installed already.
set -euo pipefail

packages=(
	# build
	meson ninja-build pkg-config gcc
	libjansson-dev libseccomp-dev libcap-dev
	# musl-gcc: husk-supervise, the monitor of a running detached container,
	# as a static musl binary (~0.1 MiB resident; static glibc without it)
	musl-tools
	# image/: layer unpack (tar, gzip, zstd) and sha256
	libarchive-dev libssl-dev
	# image/: gzip layers inflated with ISA-L (about twice zlib's speed)
	libisal-dev
	# image/: the registry client (husk pull); husk-runtime does not link it
	libcurl4-openssl-dev
	# net/: links, addresses and routes (netlink), NAT and published ports
	# (nftables)
	libnl-3-dev libnl-route-3-dev libnftables-dev nftables
	# static checks
	clang-format cppcheck
	# tests
	libcmocka-dev busybox-static bats jq iproute2 util-linux bsdutils procps python3
	# runtimes to compare with (integration tests can run against runc)
	runc crun
	# real clients driving husk-runtime (clients.bats)
	podman containernetworking-plugins containerd docker.io iptables
	# newuidmap/newgidmap for several id ranges in a rootless user namespace
	uidmap
	# OCI layouts and docker-save archives for images.bats
	umoci skopeo
	# a real registry on loopback for pull.bats (started by the test itself,
	# with its own config), and htpasswd for its basic auth
	docker-registry apache2-utils curl
	# a Debian rootfs with nginx for the walkthrough (walkthrough.bats)
	debootstrap
	# setcap, for the file-capability escape test (security/caps.bats)
	libcap2-bin
	# a static C program of the symlink-swap race test (security/symlink-race.bats)
	libc6-dev
	# Debian's kernel, with AppArmor, booted under TCG (security/lsm-vm.bats)
	qemu-system-x86
	# a small SELinux policy of the test's own (security/lsm-vm.bats)
	secilc
	# systemd as the VM's PID 1 for --systemd-cgroup (cgroups-systemd-vm.bats);
	# husk-runtime itself only dlopen()s libsystemd0 when asked for systemd
	systemd
)
if [[ ${1:-} == --bench ]]; then
	packages+=(time bc)
fi

# security/lsm-vm.bats fetches Debian's kernel with `apt-get download`,
# which needs package lists (a fresh image may have none).
need_lists=0
if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
	need_lists=1
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
if ((${#missing[@]} == 0 && !need_lists)); then
	exit 0
fi

if [[ $EUID -ne 0 ]]; then
	echo "install-deps: missing ${missing[*]:-package lists}; run as root to install them" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ((${#missing[@]} > 0)); then
	echo "install-deps: installing ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
