#!/usr/bin/env bats
# The image store and `husk` image commands: load (OCI layouts and docker
# save archives built here with umoci and skopeo), import, images, tag, rmi,
# inspect, prune; the unpacked layers against `umoci unpack`'s rootfs; and
# hostile layers, corrupted blobs and interrupted loads.
#
# Every test works in its own /tmp/husk-test.XXXXXX with its own --storage
# and a canary directory that no layer may reach. The OCI layout is built
# once per file under bats' own temp dir. Overlay mounts happen only inside
# `unshare -m` and die with it.

HUSK=${HUSK:-}
IMAGES_DIR=$(dirname "${BATS_TEST_FILENAME}")/images
BUSYBOX=${BUSYBOX:-/bin/busybox}

setup_file() {
	[[ -x $HUSK ]] || skip "set HUSK to the husk binary"
	command -v umoci >/dev/null || skip "umoci not installed"
	local t=$BATS_FILE_TMPDIR rootfs
	rootfs=$t/rootfs
	mkdir -p "$rootfs"/{bin,etc,opq,tmp,dev}
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	ln -s busybox "$rootfs/bin/sh"
	ln "$rootfs/bin/busybox" "$rootfs/bin/busybox-hardlink"
	echo hello >"$rootfs/etc/hello"
	echo kept >"$rootfs/etc/kept"
	echo a >"$rootfs/opq/a"
	echo b >"$rootfs/opq/b"
	chmod 1777 "$rootfs/tmp"
	chown 1000:2000 "$rootfs/etc/kept"
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "user.husk-test", b"layer1")' "$rootfs/etc/kept"
	mkfifo "$rootfs/etc/fifo"
	mknod "$rootfs/dev/null" c 1 3
	umoci init --layout "$t/oci" >&3
	umoci new --image "$t/oci:img" >&3
	umoci unpack --image "$t/oci:img" "$t/bundle0" >&3
	cp -a "$rootfs/." "$t/bundle0/rootfs/"
	umoci repack --image "$t/oci:img" "$t/bundle0" >&3
	# layer 2, written entry by entry: a whiteout, an opaque directory,
	# owners, xattrs, a hard link, an absolute symlink, a setuid file
	python3 "$IMAGES_DIR/mklayer.py" "$t/layer2.tar" \
		dir:etc file:etc/.wh.hello \
		dir:opq file:opq/.wh..wh..opq file:opq/c:c \
		dir:data --owner 1000:1000 --xattr user.note=two file:data/x:x hard:data/y:data/x \
		sym:data/abs:/etc/passwd --mode 4755 file:data/suid:s
	umoci raw add-layer --image "$t/oci:img" "$t/layer2.tar" >&3
	umoci unpack --image "$t/oci:img" "$t/bundle" >&3
}

setup() {
	[[ -x $HUSK ]] || skip "set HUSK to the husk binary"
	[[ $EUID -eq 0 ]] || skip "needs root"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	STORE=$TEST_DIR/store
	CANARY=$TEST_DIR/canary
	mkdir -p "$CANARY"
	echo secret >"$CANARY/secret"
}

teardown() {
	[[ -n ${TEST_DIR:-} ]] && rm -rf "$TEST_DIR"
}

husk() {
	timeout 120 "$HUSK" --storage "$STORE" "$@"
}

canary_untouched() {
	[ "$(ls -A "$CANARY")" = secret ]
	[ "$(cat "$CANARY/secret")" = secret ]
	[ "$(stat -c %h "$CANARY/secret")" = 1 ]
}

# No image listed, nothing left staged.
store_empty() {
	run husk images -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ -z "$(ls -A "$STORE/images")" ]
}

# An OCI layout copy of the file's image, named NAME in index.json.
oci_named() {
	local dir=$1 name=$2
	cp -a "$BATS_FILE_TMPDIR/oci" "$dir"
	jq --arg n "$name" '.manifests[0].annotations["io.containerd.image.name"] = $n' \
		"$dir/index.json" >"$dir/index.new" && mv "$dir/index.new" "$dir/index.json"
}

top_layer_blob() {
	local dir=$1 m
	m=$(jq -r '.manifests[0].digest' "$dir/index.json")
	jq -r '.layers[-1].digest' "$dir/blobs/sha256/${m#sha256:}"
}

@test "load an OCI layout directory: listed with Docker's columns, inspect in Docker's shape" {
	oci_named "$TEST_DIR/oci" localhost:5000/husk-test/busybox:1
	run husk load -i "$TEST_DIR/oci"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: localhost:5000/husk-test/busybox:1" ]

	run husk images
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[[ ${lines[1]} =~ ^localhost:5000/husk-test/busybox\ +1\ +[0-9a-f]{12}\ +.*ago\ +[0-9.]+[kMG]B$ ]]

	local cfg
	cfg=$(jq -r '.config.digest' "$TEST_DIR/oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$TEST_DIR/oci/index.json" | cut -d: -f2)")
	run husk image inspect localhost:5000/husk-test/busybox:1
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$cfg" ]
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = localhost:5000/husk-test/busybox:1 ]
	[ "$(jq -r '.[0].RootFS.Type' <<<"$output")" = layers ]
	[ "$(jq -r '.[0].RootFS.Layers | length' <<<"$output")" = 2 ]
	[ "$(jq -r '.[0].Os' <<<"$output")" = linux ]
	[ "$(jq -c '.[0].RootFS.Layers' <<<"$output")" = \
		"$(jq -c '.rootfs.diff_ids' "$TEST_DIR/oci/blobs/sha256/${cfg#sha256:}")" ]
	# the short ID and a unique prefix find it too
	run husk image inspect "${cfg:7:12}"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$cfg" ]
	run husk images -q
	[ "$output" = "${cfg:7:12}" ]
	run husk images --format json
	[ "$(jq -r .Repository <<<"$output")" = localhost:5000/husk-test/busybox ]
}

@test "the unpacked layers, merged by overlayfs, are umoci's rootfs file by file" {
	oci_named "$TEST_DIR/oci" husk-test/busybox:1
	husk load -i "$TEST_DIR/oci"
	run husk image inspect husk-test/busybox:1
	[ "$status" -eq 0 ]
	local upper lower
	upper=$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$output")
	lower=$(jq -r '.[0].GraphDriver.Data.LowerDir' <<<"$output")
	[ -d "$upper" ] && [ -d "$lower" ]
	# the top layer holds overlay's own whiteouts, not OCI's
	[ "$(stat -c '%F %t:%T' "$upper/etc/hello")" = "character special file 0:0" ]
	[ "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' "$upper/opq")" = y ]
	[ ! -e "$upper/etc/.wh.hello" ]
	[ ! -e "$upper/opq/.wh..wh..opq" ]
	mkdir "$TEST_DIR/merged"
	run unshare -m sh -c 'mount -t overlay husk-test -o "ro,lowerdir=$1:$2" "$3" && python3 "$4" "$3" "$5"' \
		sh "$upper" "$lower" "$TEST_DIR/merged" "$IMAGES_DIR/tree-compare.py" "$BATS_FILE_TMPDIR/bundle/rootfs"
	echo "$output" >&3
	[ "$status" -eq 0 ]
	[[ $output == *" 0 differ" ]]
	# what the comparison must have seen
	[ -e "$BATS_FILE_TMPDIR/bundle/rootfs/opq/c" ] && [ ! -e "$BATS_FILE_TMPDIR/bundle/rootfs/opq/a" ]
	[ ! -e "$BATS_FILE_TMPDIR/bundle/rootfs/etc/hello" ]
}

@test "a docker-save archive (skopeo) of the same image: same ID, layers shared" {
	command -v skopeo >/dev/null || skip "skopeo not installed"
	oci_named "$TEST_DIR/oci" husk-test/busybox:oci
	skopeo copy --quiet "oci:$BATS_FILE_TMPDIR/oci:img" "docker-archive:$TEST_DIR/img.tar:husk-test/busybox:docker"
	husk load -i "$TEST_DIR/oci"
	run husk load -i "$TEST_DIR/img.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: husk-test/busybox:docker" ]
	run husk images --format json
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .ID <<<"${lines[0]}")" = "$(jq -r .ID <<<"${lines[1]}")" ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 2 ]
	# and from a pipe, as `docker load < file` does
	husk rmi husk-test/busybox:docker
	run husk load <"$TEST_DIR/img.tar"
	[ "$status" -eq 0 ]
	run sh -c "cat '$TEST_DIR/img.tar' | '$HUSK' --storage '$STORE' load"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: husk-test/busybox:docker" ]
}

@test "an OCI layout as a tar, and its layers when gzip'd" {
	oci_named "$TEST_DIR/oci" husk-test/busybox:tar
	tar -C "$TEST_DIR/oci" -cf "$TEST_DIR/oci.tar" .
	run husk load -i "$TEST_DIR/oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: husk-test/busybox:tar" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "import a rootfs tarball; tag; rmi untags, then deletes with the last tag and frees the layer" {
	mkdir -p "$TEST_DIR/r/bin"
	cp "$BUSYBOX" "$TEST_DIR/r/bin/"
	tar -C "$TEST_DIR/r" -czf "$TEST_DIR/r.tgz" .
	run husk import "$TEST_DIR/r.tgz" husk-test/imported:v1
	[ "$status" -eq 0 ]
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	local id=$output
	run husk image inspect husk-test/imported:v1
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	cmp "$BUSYBOX" "$(jq -r '.[0].GraphDriver.Data.UpperDir' <<<"$output")/bin/busybox"

	husk tag husk-test/imported:v1 other
	run husk images husk-test/imported
	[ "${#lines[@]}" -eq 2 ]
	run husk images other:latest
	[[ ${lines[1]} =~ ^other\ +latest\ +${id:7:12} ]]

	# by ID with two repositories: Docker's conflict
	run husk rmi "${id:7:12}"
	[ "$status" -eq 1 ]
	[[ $output == *"unable to delete ${id:7:12} (must be forced) - image is referenced in multiple repositories"* ]]
	run husk rmi other
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: other:latest" ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 1 ]
	run husk rmi husk-test/imported:v1
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Untagged: husk-test/imported:v1" ]
	[ "${lines[1]}" = "Deleted: $id" ]
	store_empty
	[ -z "$(ls -A "$STORE/layers")" ]
	[ -z "$(ls -A "$STORE/blobs/sha256")" ]
	run husk rmi husk-test/imported:v1
	[ "$status" -eq 1 ]
	[[ $output == *"No such image: husk-test/imported:v1"* ]]
}

@test "a layer shared by two images stays until the last of them goes; prune removes dangling images" {
	oci_named "$TEST_DIR/oci" husk-test/busybox:1
	husk load -i "$TEST_DIR/oci"
	# a second image: the same base layer, another top
	mkdir -p "$TEST_DIR/r"
	echo other >"$TEST_DIR/r/other"
	cp -a "$BATS_FILE_TMPDIR/oci" "$TEST_DIR/oci2"
	python3 "$IMAGES_DIR/mklayer.py" "$TEST_DIR/l.tar" file:other:x
	umoci raw add-layer --image "$TEST_DIR/oci2:img" --tag two "$TEST_DIR/l.tar"
	run husk load -i "$TEST_DIR/oci2"
	[ "$status" -eq 0 ]
	# "img" (the image loaded above: it keeps its name) and "two" are bare
	# tags, not names: "two" is a dangling image
	[[ $output == *"Loaded image ID: sha256:"* ]]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ]
	run husk images
	[ "${#lines[@]}" -eq 3 ]
	grep -Eq '^<none> +<none> +[0-9a-f]{12} ' <<<"$output"
	run husk image prune -f
	[ "$status" -eq 0 ]
	[[ $output == *"Deleted Images:"* ]]
	[[ $output == *"Total reclaimed space:"* ]]
	# only the named image is left, with both its layers
	run husk images -q
	[ "${#lines[@]}" -eq 1 ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 2 ]
	run husk image prune -af
	[ "$status" -eq 0 ]
	store_empty
	[ -z "$(ls -A "$STORE/layers")" ]
}

@test "save writes an OCI layout and a docker-save archive in one tar; it loads back the same" {
	oci_named "$TEST_DIR/oci" husk-test/busybox:1
	husk load -i "$TEST_DIR/oci"
	local id
	id=$(husk image inspect husk-test/busybox:1 | jq -r '.[0].Id')
	run husk save -o "$TEST_DIR/saved.tar" husk-test/busybox:1
	[ "$status" -eq 0 ]
	mkdir "$TEST_DIR/saved"
	tar -C "$TEST_DIR/saved" -xf "$TEST_DIR/saved.tar"
	[ "$(jq -r '.[0].RepoTags[0]' "$TEST_DIR/saved/manifest.json")" = husk-test/busybox:1 ]
	[ "$(jq -r '.manifests[0].annotations["io.containerd.image.name"]' "$TEST_DIR/saved/index.json")" = \
		docker.io/husk-test/busybox:1 ]
	# every blob is what its name says
	local b
	for b in "$TEST_DIR"/saved/blobs/sha256/*; do
		[ "$(sha256sum "$b" | cut -d' ' -f1)" = "$(basename "$b")" ]
	done
	# other tools read both halves
	if command -v skopeo >/dev/null; then
		skopeo inspect --raw "oci:$TEST_DIR/saved" >/dev/null
		skopeo inspect --raw "docker-archive:$TEST_DIR/saved.tar" >/dev/null
	fi
	umoci unpack --image "$TEST_DIR/saved:1" "$TEST_DIR/bundle" >/dev/null
	python3 "$IMAGES_DIR/tree-compare.py" "$TEST_DIR/bundle/rootfs" "$BATS_FILE_TMPDIR/bundle/rootfs"
	# and into a fresh store: the same image
	STORE=$TEST_DIR/store2
	run husk load -i "$TEST_DIR/saved.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: husk-test/busybox:1" ]
	[ "$(husk image inspect husk-test/busybox:1 | jq -r '.[0].Id')" = "$id" ]
	run husk save husk-test/nope -o "$TEST_DIR/nope.tar"
	[ "$status" -eq 1 ]
	[[ $output == *"No such image: husk-test/nope"* ]]
	[ ! -e "$TEST_DIR/nope.tar" ]
}

@test "a corrupted blob is refused with its digest named, and the store stays empty" {
	oci_named "$TEST_DIR/oci" husk-test/busybox:1
	local blob
	blob=$(top_layer_blob "$TEST_DIR/oci")
	chmod u+w "$TEST_DIR/oci/blobs/sha256/${blob#sha256:}"
	printf 'X' | dd of="$TEST_DIR/oci/blobs/sha256/${blob#sha256:}" bs=1 seek=100 conv=notrunc status=none
	run husk load -i "$TEST_DIR/oci"
	[ "$status" -eq 1 ]
	[[ $output == *"blob $blob: content has digest sha256:"* ]]
	store_empty
}

@test "a layer whose content does not match the config's diffID is refused" {
	# a docker-save archive whose layer file is swapped for another tar
	command -v skopeo >/dev/null || skip "skopeo not installed"
	skopeo copy --quiet "oci:$BATS_FILE_TMPDIR/oci:img" "dir:$TEST_DIR/d"
	mkdir "$TEST_DIR/x"
	skopeo copy --quiet "oci:$BATS_FILE_TMPDIR/oci:img" "docker-archive:$TEST_DIR/img.tar:husk-test/x:1"
	tar -C "$TEST_DIR/x" -xf "$TEST_DIR/img.tar"
	local layer
	layer=$(jq -r '.[0].Layers[-1]' "$TEST_DIR/x/manifest.json")
	python3 "$IMAGES_DIR/mklayer.py" "$TEST_DIR/x/$layer" file:evil:x
	run husk load -i "$TEST_DIR/x"
	[ "$status" -eq 1 ]
	[[ $output == *"uncompressed content has digest sha256:"*", the image config says sha256:"* ]]
	store_empty
}

# ---- hostile layers ----

import_hostile() {
	python3 "$IMAGES_DIR/mklayer.py" "$TEST_DIR/evil.tar" "$@"
	run husk import "$TEST_DIR/evil.tar" husk-test/evil:1
}

@test "hostile: ../ path traversal is refused" {
	import_hostile "file:../../../../../../..$CANARY/pwned:x"
	[ "$status" -eq 1 ]
	[[ $output == *"path escapes the layer"* ]]
	canary_untouched
	store_empty
}

@test "hostile: an absolute symlink to a host dir, then a file through it, stays in the layer" {
	# the layer has a directory at the canary's path, so the write through
	# the symlink has somewhere to go inside the layer; the host's canary
	# (never /etc: a broken unpacker must not touch the machine) stays as is
	import_hostile "dir:${CANARY#/}" "sym:cl:$CANARY" "file:cl/pwned:x" \
		"sym:s:$CANARY/secret" "file:s:replaced"
	canary_untouched
	[ "$status" -eq 0 ]
	local top
	top=$(husk image inspect husk-test/evil:1 | jq -r '.[0].GraphDriver.Data.UpperDir')
	[ -f "$top/$CANARY/pwned" ]
	[ "$(cat "$top/s")" = replaced ]
}

@test "hostile: a symlink to a host dir missing from the layer, then a file under it, is refused" {
	import_hostile "sym:c:$CANARY" "file:c/pwned:x"
	[ "$status" -eq 1 ]
	[[ $output == *"entry c/pwned"* ]]
	canary_untouched
	store_empty
}

@test "hostile: a symlink climbing with .., then a write through it, stays in the layer" {
	import_hostile "sym:up:../../../../../../../../../..$CANARY" "file:up/pwned:x" \
		"sym:up2:../../../../../../../../../.." "file:up2${CANARY}/pwned2:x"
	canary_untouched
	if [ "$status" -ne 0 ]; then
		echo "$output"
		store_empty
	fi
}

@test "hostile: hard links to host files (absolute or ..) are refused" {
	import_hostile "hard:h:$CANARY/secret"
	[ "$status" -eq 1 ]
	[[ $output == *"is not in the layer"* ]]
	canary_untouched
	store_empty
	import_hostile "hard:h:../../../../../../../..$CANARY/secret"
	[ "$status" -eq 1 ]
	[[ $output == *"hard link target"*"escapes the layer"* ]]
	canary_untouched
	store_empty
}

@test "hostile: a tar bomb of many entries hits the entry limit" {
	HUSK_LAYER_MAX_ENTRIES=1000 import_hostile many:f:5000
	[ "$status" -eq 1 ]
	[[ $output == *"more than 1000 entries"* ]]
	store_empty
	HUSK_LAYER_MAX_ENTRIES=6000 import_hostile many:f:5000
	[ "$status" -eq 0 ]
}

@test "hostile: a docker-save archive whose members climb out is contained" {
	mkdir -p "$TEST_DIR/x"
	echo '[{"Config":"../../../../../../..'"$CANARY"'/secret","RepoTags":["husk-test/x:1"],"Layers":[]}]' \
		>"$TEST_DIR/x/manifest.json"
	run husk load -i "$TEST_DIR/x"
	[ "$status" -eq 1 ]
	canary_untouched
	store_empty
}

# ---- crashes and concurrency ----

@test "a load killed at any moment lists nothing half-done, and the next writer sweeps its staging" {
	# a layer big enough that the kill lands mid-load
	mkdir -p "$TEST_DIR/big"
	for i in $(seq 1 40); do head -c 1M /dev/urandom >"$TEST_DIR/big/f$i"; done
	tar -C "$TEST_DIR/big" -cf "$TEST_DIR/big.tar" .
	"$HUSK" --storage "$STORE" import "$TEST_DIR/big.tar" husk-test/big:1 >/dev/null &
	local pid=$!
	sleep 0.3
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" || true
	run husk images -q
	[ "$status" -eq 0 ]
	if [ -n "$output" ]; then
		# it finished first: then it is whole
		run husk image inspect husk-test/big:1
		[ "$status" -eq 0 ]
	fi
	# the next writer removes what the dead one staged
	echo x >"$TEST_DIR/small"
	tar -C "$TEST_DIR" -cf "$TEST_DIR/small.tar" small
	husk import "$TEST_DIR/small.tar" husk-test/small:1
	[ -z "$(ls -A "$STORE/tmp")" ]
	run husk image inspect husk-test/small:1
	[ "$status" -eq 0 ]
}

@test "two imports at once: both complete" {
	mkdir -p "$TEST_DIR/a" "$TEST_DIR/b"
	cp "$BUSYBOX" "$TEST_DIR/a/"
	cp "$BUSYBOX" "$TEST_DIR/b/" && echo b >"$TEST_DIR/b/b"
	tar -C "$TEST_DIR/a" -cf "$TEST_DIR/a.tar" .
	tar -C "$TEST_DIR/b" -cf "$TEST_DIR/b.tar" .
	"$HUSK" --storage "$STORE" import "$TEST_DIR/a.tar" husk-test/a:1 >/dev/null &
	local p1=$!
	"$HUSK" --storage "$STORE" import "$TEST_DIR/b.tar" husk-test/b:1 >/dev/null &
	local p2=$!
	wait "$p1"
	wait "$p2"
	run husk images -q
	[ "${#lines[@]}" -eq 2 ]
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "as a user: the store under ~/.local/share/husk, device nodes skipped with a note" {
	command -v setpriv >/dev/null || skip "setpriv not installed"
	chmod 755 "$TEST_DIR"
	mkdir -m 700 "$TEST_DIR/home"
	chown 65534:65534 "$TEST_DIR/home"
	tar -C "$BATS_FILE_TMPDIR/rootfs" -cf "$TEST_DIR/rootfs.tar" .
	chmod 644 "$TEST_DIR/rootfs.tar"
	run setpriv --reuid=65534 --regid=65534 --clear-groups env -u HUSK_STORAGE HOME="$TEST_DIR/home" \
		"$HUSK" import "$TEST_DIR/rootfs.tar" husk-test/user:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"note: 1 device node in the layers not created"* ]]
	local store=$TEST_DIR/home/.local/share/husk
	[ "$(ls "$store/images" | wc -l)" -eq 1 ]
	local diff
	diff=$(ls -d "$store"/layers/*/diff)
	# the user's own files: no owners from the archive, no device
	[ "$(stat -c %u "$diff/etc/kept")" = 65534 ]
	[ ! -e "$diff/dev/null" ]
	[ -x "$diff/bin/busybox" ]
}

# ---- the command line ----

@test "usage errors exit 125, unknown commands and missing images 1, like Docker" {
	run husk images --bogus
	[ "$status" -eq 125 ]
	[[ $output == *"unknown flag: --bogus"* ]]
	run husk rmi -z x
	[ "$status" -eq 125 ]
	[[ $output == *"unknown shorthand flag: 'z' in -z"* ]]
	run husk frobnicate
	[ "$status" -eq 1 ]
	[[ $output == *"'frobnicate' is not a husk command"* ]]
	run husk tag onlyone
	[ "$status" -eq 1 ]
	[[ $output == *'"husk tag" requires exactly 2 arguments.'* ]]
	run husk image inspect nope
	[ "$status" -eq 1 ]
	[[ $output == *"No such image: nope"* ]]
	run husk tag nope Bad/Name
	[ "$status" -eq 1 ]
	[[ $output == *"must be lowercase"* ]]
	HUSK_STORAGE=$STORE run "$HUSK" images -q
	[ "$status" -eq 0 ]
	[ -d "$STORE/blobs/sha256" ]
}

@test "husk itself links neither libcurl nor libarchive; load, save and pull run in husk-transfer beside it" {
	# The commands most people type start without them (about 4 ms each).
	run ldd "$HUSK"
	[ "$status" -eq 0 ]
	[[ $output != *libcurl* && $output != *libarchive* && $output != *libcrypto* ]]
	run ldd "$(dirname "$HUSK")/husk-transfer"
	[[ $output == *libarchive* && $output == *libcurl* ]]
	# Through husk: the same store, the same exit codes and messages.
	run husk load -i "$BATS_FILE_TMPDIR/oci"
	[ "$status" -eq 0 ]
	[[ $output == "Loaded image ID: sha256:"* ]]
	run husk save -o "$TEST_DIR/out.tar" no-such-image
	[ "$status" -eq 1 ]
	[[ $output == *"No such image: no-such-image"* ]]
	[ ! -e "$TEST_DIR/out.tar" ]
	# A husk without its husk-transfer says what is missing.
	cp "$HUSK" "$TEST_DIR/husk"
	run "$TEST_DIR/husk" --storage "$STORE" load -i "$BATS_FILE_TMPDIR/oci"
	[ "$status" -eq 125 ]
	[[ $output == *'"husk load" needs '*husk-transfer* ]]
	run "$TEST_DIR/husk" --storage "$STORE" images -q
	[ "$status" -eq 0 ]
	[ -n "$output" ]
}
