#!/usr/bin/env bats
# Root filesystems from images: the overlay of an image's layers with a
# per-container upper dir (src/image/rootfs.c, driven by the test helper
# rootfs-prepare as the engine will drive it), copy-on-write measured with
# du, whiteouts, 200+ layers, the image config applied to the runtime spec
# (imgspec.c), and `husk image mount` / `husk image unmount`.
#
# Every test works in its own /tmp/husk-test.XXXXXX with its own --storage.
# Every mount a test makes is under that dir and undone in teardown, which
# also removes, as a last resort, any mount left under it.

HUSK=${HUSK:-}
PREPARE=${HUSK_ROOTFS_PREPARE:-}
BUSYBOX=${BUSYBOX:-/bin/busybox}
NLAYERS=210

setup_file() {
	[[ -x $HUSK && -x $PREPARE ]] || skip "set HUSK and HUSK_ROOTFS_PREPARE"
	command -v umoci >/dev/null || skip "umoci not installed"
	local t=${BATS_FILE_TMPDIR:?}
	[[ -d $t ]] || return 1
	umoci init --layout "$t/oci" >&3
	umoci new --image "$t/oci:img" >&3
	umoci unpack --image "$t/oci:img" "$t/bundle" >&3
	local r=$t/bundle/rootfs
	[[ -d $r ]] || return 1 # never write the host's /etc
	mkdir -p "$r"/{bin,etc,data,home/app,tmp}
	cp "$BUSYBOX" "$r/bin/busybox"
	ln -s busybox "$r/bin/sh"
	printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\napp:x:1000:\nwheel:x:10:root,app\nstaff:x:50:app\n' >"$r/etc/group"
	echo original >"$r/etc/shared"
	echo doomed >"$r/data/remove-me"
	# 4 MiB that a copy of the image would cost per container
	head -c 4194304 /dev/urandom >"$r/data/big"
	umoci repack --image "$t/oci:img" "$t/bundle" >&3
	umoci config --image "$t/oci:img" --config.user app --config.entrypoint /bin/sh \
		--config.entrypoint -c --config.cmd 'echo hi' --config.env GREETING=hello \
		--config.workingdir /data --config.exposedports 8080/tcp --config.volume /data \
		--config.label org.example=yes --config.stopsignal SIGQUIT >&3

	# NLAYERS layers, layer i adding l/i and rewriting /top
	python3 - "$t/many" "$NLAYERS" <<-'EOF'
		import hashlib, io, json, os, sys, tarfile
		out, n = sys.argv[1], int(sys.argv[2])
		os.makedirs(out + "/blobs/sha256")
		def blob(data):
		    d = hashlib.sha256(data).hexdigest()
		    open(f"{out}/blobs/sha256/{d}", "wb").write(data)
		    return "sha256:" + d, len(data)
		layers = []
		for i in range(n):
		    buf = io.BytesIO()
		    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tf:
		        for name, data in ((f"l/{i}", b"x"), ("top", str(i).encode())):
		            ti = tarfile.TarInfo(name); ti.size = len(data); ti.mode = 0o644
		            tf.addfile(ti, io.BytesIO(data))
		    layers.append(blob(buf.getvalue()))
		cfg = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
		       "rootfs": {"type": "layers", "diff_ids": [d for d, _ in layers]}}
		cd, cl = blob(json.dumps(cfg).encode())
		man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cl},
		       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": s}
		                  for d, s in layers]}
		md, ml = blob(json.dumps(man).encode())
		json.dump({"imageLayoutVersion": "1.0.0"}, open(out + "/oci-layout", "w"))
		json.dump({"schemaVersion": 2, "manifests": [{"mediaType": man["mediaType"], "digest": md, "size": ml,
		           "annotations": {"org.opencontainers.image.ref.name": "many"}}]}, open(out + "/index.json", "w"))
	EOF
}

setup() {
	[[ -x $HUSK && -x $PREPARE ]] || skip "set HUSK and HUSK_ROOTFS_PREPARE"
	[[ $EUID -eq 0 ]] || skip "needs root"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	STORE=$TEST_DIR/store
	IDS=()
}

# Mount points under $TEST_DIR, deepest first.
test_mounts() {
	awk -v d="$TEST_DIR/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

teardown() {
	[[ -n ${TEST_DIR:-} ]] || return 0
	if ((${#IDS[@]})); then
		"$PREPARE" --remove "$STORE" "${IDS[@]}" || true
	fi
	"$HUSK" --storage "$STORE" image unmount img many >/dev/null 2>&1 || true
	local m
	for m in $(test_mounts); do
		echo "# teardown: $m was still mounted" >&3
		umount "$m" || umount -l "$m"
	done
	rm -rf --one-file-system "$TEST_DIR"
}

husk() {
	timeout 120 "$HUSK" --storage "$STORE" "$@"
}

# Load an OCI layout of setup_file's and tag the image it held as $2.
load_as() {
	local out
	out=$(husk load -i "$BATS_FILE_TMPDIR/$1")
	[[ $out == "Loaded image ID: sha256:"* ]]
	husk tag "${out#Loaded image ID: }" "$2"
}

load_img() {
	load_as oci img
}

load_many() {
	load_as many many
}

# Callers add the ids to IDS first: `run` is a subshell.
prepare() {
	timeout 120 "$PREPARE" "$STORE" "$@"
}

kib() {
	du -sxk "$1" | cut -f1
}

layer_file() { # the file as the image's layers have it
	local d
	for d in "$STORE"/layers/*/diff; do
		[[ -e $d/$1 ]] && echo "$d/$1"
	done
}

@test "50 containers from one image: copy-on-write, changes and whiteouts in their own upper only" {
	load_img
	local before after containers ids=() i merged
	before=$(kib "$STORE")
	for i in $(seq 1 50); do ids+=("c$i"); done
	IDS=("${ids[@]}")
	run prepare img "${ids[@]}"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 50 ]
	[ "${lines[0]}" = "$STORE/containers/c1/merged" ]
	[ "$(test_mounts | wc -l)" -eq 50 ]
	for i in 1 25 50; do
		cmp "$STORE/containers/c$i/merged/data/big" "$(layer_file data/big)"
	done

	# c7 changes a file, c9 deletes one, c3 rewrites the big one
	echo changed >"$STORE/containers/c7/merged/etc/shared"
	rm "$STORE/containers/c9/merged/data/remove-me"
	echo x >>"$STORE/containers/c3/merged/data/big"

	# du on the storage root grows by the container dirs only, and those
	# hold the one copied-up big file, not 50 images
	after=$(kib "$STORE")
	containers=$(kib "$STORE/containers")
	echo "# store: ${before} KiB before, ${after} KiB after; containers/ ${containers} KiB" >&3
	[ "$((after - before))" -eq "$containers" ]
	[ "$(kib "$STORE/containers/c3/upper")" -ge 4096 ]
	[ "$containers" -lt $((4096 + 50 * 64)) ]

	# the change: in c7's view and upper, nowhere else
	[ "$(cat "$STORE/containers/c7/merged/etc/shared")" = changed ]
	[ "$(cat "$STORE/containers/c7/upper/etc/shared")" = changed ]
	[ "$(cat "$(layer_file etc/shared)")" = original ]
	for i in $(seq 1 50); do
		[[ $i == 7 ]] && continue
		[ "$(cat "$STORE/containers/c$i/merged/etc/shared")" = original ]
		[ ! -e "$STORE/containers/c$i/upper/etc/shared" ]
	done

	# the deletion: a whiteout (char 0:0) in c9's upper only
	[ ! -e "$STORE/containers/c9/merged/data/remove-me" ]
	[ "$(stat -c '%F %t:%T' "$STORE/containers/c9/upper/data/remove-me")" = "character special file 0:0" ]
	[ "$(cat "$(layer_file data/remove-me)")" = doomed ]
	for i in $(seq 1 50); do
		[[ $i == 9 ]] && continue
		[ "$(cat "$STORE/containers/c$i/merged/data/remove-me")" = doomed ]
		[ ! -e "$STORE/containers/c$i/upper/data/remove-me" ]
	done
	cmp "$STORE/containers/c1/merged/data/big" "$(layer_file data/big)"

	# removal: no mount, no container dir, the layers as they were
	run "$PREPARE" --remove "$STORE" "${ids[@]}"
	[ "$status" -eq 0 ]
	IDS=()
	[ -z "$(test_mounts)" ]
	[ -z "$(ls -A "$STORE/containers")" ]
	[ "$(kib "$STORE")" -le $((before + 4)) ]
	[ "$(cat "$(layer_file etc/shared)")" = original ]
}

@test "a container id that exists already, or is not a name, is refused and leaves nothing" {
	load_img
	IDS=(one)
	run prepare img one
	[ "$status" -eq 0 ]
	run prepare img one
	[ "$status" -ne 0 ]
	[[ $output == *"containers/one: File exists"* ]]
	[ "$(test_mounts | wc -l)" -eq 1 ]
	run "$PREPARE" "$STORE" img ../escape
	[ "$status" -ne 0 ]
	[[ $output == *'invalid container id "../escape"'* ]]
	[ ! -e "$STORE/escape" ]
}

@test "an image of $NLAYERS layers mounts (one lowerdir+ per layer), top layer first" {
	load_many
	[ "$(husk image inspect many | jq '.[0].RootFS.Layers | length')" -eq "$NLAYERS" ]
	IDS=(deep)
	run prepare many deep
	[ "$status" -eq 0 ]
	local m=$STORE/containers/deep/merged
	[ "$(cat "$m/top")" = $((NLAYERS - 1)) ]
	[ "$(ls "$m/l" | wc -l)" -eq "$NLAYERS" ]
	grep -q " $m .* - overlay " /proc/self/mountinfo
	echo mine >"$m/top"
	[ "$(cat "$STORE/containers/deep/upper/top")" = mine ]
}

@test "the classic option string: works for a few layers, a clear error past one page" {
	load_img
	IDS=(small deep)
	run timeout 60 "$PREPARE" --legacy "$STORE" img small
	[ "$status" -eq 0 ]
	[ "$(cat "$STORE/containers/small/merged/etc/shared")" = original ]
	grep -q " $STORE/containers/small/merged .* - overlay .*lowerdir=" /proc/self/mountinfo

	load_many
	run timeout 60 "$PREPARE" --legacy "$STORE" many deep
	[ "$status" -ne 0 ]
	[[ $output == *"$NLAYERS layers need"*"lowerdir+"* ]]
	[ ! -e "$STORE/containers/deep" ]
	[ "$(test_mounts | wc -l)" -eq 1 ]
}

@test "the image config becomes the process: entrypoint, cmd, env, cwd, user and groups from the image's files" {
	load_img
	IDS=(c1)
	run prepare img c1
	[ "$status" -eq 0 ]
	run "$PREPARE" --process "$STORE" c1 img
	[ "$status" -eq 0 ]
	[ "$(jq -c .args <<<"$output")" = '["/bin/sh","-c","echo hi"]' ]
	[ "$(jq -r .cwd <<<"$output")" = /data ]
	[ "$(jq -c '[.uid, .gid, .additionalGids]' <<<"$output")" = '[1000,1000,[10,50]]' ]
	jq -e '.env | index("GREETING=hello") and index("HOME=/home/app") and index("HOSTNAME=c1")' <<<"$output"
	jq -e '.env | map(select(startswith("PATH="))) | length == 1' <<<"$output"
	[ "$(jq -r .hostname <<<"$output")" = c1 ]

	run "$PREPARE" --process "$STORE" c1 img app:staff
	[ "$(jq -c '[.uid, .gid, .additionalGids]' <<<"$output")" = '[1000,50,[10]]' ]
	run "$PREPARE" --process "$STORE" c1 img 4242:4343
	[ "$(jq -c '[.uid, .gid, .additionalGids]' <<<"$output")" = '[4242,4343,[]]' ]
	run "$PREPARE" --process "$STORE" c1 img nobody
	[ "$status" -ne 0 ]
	[[ $output == *"unable to find user nobody: no matching entries in passwd file"* ]]

	# /etc/passwd is resolved inside the rootfs: a symlink that climbs out
	# on the host (where no passwd.img exists) stays inside it
	local e=$STORE/containers/c1/merged/etc
	mv "$e/passwd" "$e/passwd.img"
	ln -s ../../../../../../../../../../../../etc/passwd.img "$e/passwd"
	[ ! -e /etc/passwd.img ]
	run "$PREPARE" --process "$STORE" c1 img app
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.uid, .gid]' <<<"$output")" = '[1000,1000]' ]
	# and a FIFO there is refused, not waited on
	rm "$e/passwd"
	mkfifo "$e/passwd"
	run timeout 10 "$PREPARE" --process "$STORE" c1 img app
	[ "$status" -eq 1 ]
	[[ $output == *"/etc/passwd in the image is not a regular file"* ]]
}

@test "husk image mount: the image read-only under the storage root; unmount leaves no mount" {
	load_img
	run husk image mount img
	[ "$status" -eq 0 ]
	local p=$output id
	id=$(husk images -q --no-trunc img)
	[ "$p" = "$STORE/image-mounts/${id#sha256:}" ]
	[ "$(cat "$p/etc/shared")" = original ]
	cmp "$p/data/big" "$(layer_file data/big)"
	[ "$(ls "$p/data")" = "$(printf 'big\nremove-me')" ]
	run touch "$p/new"
	[ "$status" -ne 0 ]
	[[ $output == *"Read-only file system"* ]]
	# one layer: the layer itself, bound read-only (overlayfs wants two
	# lowers without an upper)
	grep -E " $p ro,nosuid,nodev" /proc/self/mountinfo

	# its layers stay while it is mounted
	run husk rmi img
	[ "$status" -eq 1 ]
	[[ $output == *"the image is mounted"* ]]
	husk image prune -a -f
	[ "$(husk images -q --no-trunc)" = "$id" ]
	[ "$(cat "$p/etc/shared")" = original ]

	# twice: the same path, still one mount
	run husk image mount img
	[ "$status" -eq 0 ]
	[ "$output" = "$p" ]
	[ "$(test_mounts | wc -l)" -eq 1 ]

	# many layers: an overlay, read-only too
	load_many
	run husk image mount many
	[ "$status" -eq 0 ]
	local q=$output
	grep -E " $q ro,nosuid,nodev.* - overlay " /proc/self/mountinfo
	[ "$(cat "$q/top")" = $((NLAYERS - 1)) ]
	[ "$(ls "$q/l" | wc -l)" -eq "$NLAYERS" ]
	run touch "$q/top"
	[[ $output == *"Read-only file system"* ]]

	run husk image unmount img many
	[ "$status" -eq 0 ]
	[ -z "$(test_mounts)" ]
	[ ! -e "$p" ]
	[ ! -e "$q" ]
}

@test "husk image mount and unmount: unknown image, not mounted, no argument" {
	load_img
	run husk image mount nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"No such image: nosuch"* ]]
	run husk image unmount img
	[ "$status" -eq 1 ]
	[[ $output == *"image is not mounted: img"* ]]
	run husk image unmount nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"No such image: nosuch"* ]]
	run husk image mount
	[ "$status" -eq 1 ]
	[[ $output == *'"husk image mount" requires at least 1 argument'* ]]
	[ -z "$(test_mounts)" ]
}
