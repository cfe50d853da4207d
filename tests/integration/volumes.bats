#!/usr/bin/env bats
# Mounts and volumes of husk run/create (src/engine/volumes.c,
# volume-store.c, src/cli/husk-volumes.c): -v in all its forms, --mount,
# --tmpfs, --read-only, bind propagation, named and anonymous volumes and
# the volume commands, checked as a Docker user checks them: what the
# container sees, what the host sees, what is left behind. Every test has
# its own --storage and --state, its containers' cgroups under /husk-test;
# teardown removes its containers and fails if a mount is left.

bats_require_minimum_version 1.5.0

load engine-helpers

HUSK=${HUSK:-}
BUSYBOX=${BUSYBOX:-/bin/busybox}

# one image layout: rootfs with busybox, /data/hello owned by app (copy-up)
make_image() {
	local t=$1 tag=$2
	shift 2
	umoci init --layout "$t/$tag" >&3
	umoci new --image "$t/$tag:img" >&3
	umoci unpack --image "$t/$tag:img" "$t/$tag-bundle" >&3
	local r=$t/$tag-bundle/rootfs
	mkdir -p "$r"/{bin,etc,tmp,data/sub,vol,mnt}
	cp "$BUSYBOX" "$r/bin/busybox"
	for c in sh echo cat ls sleep touch stat mkdir mount umount grep test true awk; do
		ln -s busybox "$r/bin/$c"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n' >"$r/etc/passwd"
	printf 'root:x:0:\napp:x:1000:\n' >"$r/etc/group"
	echo from-image >"$r/data/hello"
	echo deep >"$r/data/sub/file"
	chown -R 1000:1000 "$r/data"
	chmod 0750 "$r/data"
	echo in-vol >"$r/vol/seed"
	umoci repack --image "$t/$tag:img" "$t/$tag-bundle" >&3
	umoci config --image "$t/$tag:img" --config.cmd sh "$@" >&3
}

setup_file() {
	[[ -x $HUSK ]] || skip "set HUSK"
	command -v umoci >/dev/null || skip "umoci not installed"
	local t=${BATS_FILE_TMPDIR:?}
	make_image "$t" oci
	make_image "$t" ocivol --config.volume /vol
	make_image "$t" ocibad --config.volume /../
}

setup() {
	[[ -x $HUSK ]] || skip "set HUSK"
	[[ $EUID -eq 0 ]] || skip "needs root"
	command -v jq >/dev/null || skip "jq not installed"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	export HUSK_STORAGE=$TEST_DIR/store HUSK_STATE=$TEST_DIR/state
	local id
	id=$("$HUSK" load -i "$BATS_FILE_TMPDIR/oci" | sed -n 's/^Loaded image ID: //p')
	"$HUSK" tag "$id" husk-test-img
	id=$("$HUSK" load -i "$BATS_FILE_TMPDIR/ocivol" | sed -n 's/^Loaded image ID: //p')
	"$HUSK" tag "$id" husk-vol-img
}

teardown() {
	engine_teardown
}

hcreate() {
	husk create --cgroup-parent /husk-test "$@"
}

# a directory that is a shared (or private) mount of its own
shared_dir() {
	mkdir -p "$1"
	mount --bind "$1" "$1"
	mount --make-"${2:-shared}" "$1"
}

# nothing made: no container, no volume
nothing_made() {
	[ -z "$(husk ps -aq)" ]
	[ -z "$(husk volume ls -q)" ]
}

@test "-v bind: rw writes reach the host, ro refuses writes; Binds and Mounts recorded" {
	mkdir -p "$TEST_DIR/rw" "$TEST_DIR/ro"
	echo host >"$TEST_DIR/ro/f"
	run hrun --name bb -v "$TEST_DIR/rw:/rw" -v "$TEST_DIR/ro:/ro:ro" husk-test-img \
		sh -c 'echo ctr >/rw/new && cat /ro/f && ! echo x >/ro/g'
	[ "$status" -eq 0 ]
	[[ $output == *host* && $output == *"Read-only file system"* ]]
	[ "$(cat "$TEST_DIR/rw/new")" = ctr ]
	[ ! -e "$TEST_DIR/ro/g" ]
	run husk inspect bb
	[ "$(jq -c '.[0].HostConfig.Binds' <<<"$output")" = "[\"$TEST_DIR/rw:/rw\",\"$TEST_DIR/ro:/ro:ro\"]" ]
	[ "$(jq -c '.[0].Mounts[0] | [.Type, .Source, .Destination, .Mode, .RW, .Propagation]' <<<"$output")" = \
		"[\"bind\",\"$TEST_DIR/rw\",\"/rw\",\"\",true,\"rprivate\"]" ]
	[ "$(jq -c '.[0].Mounts[1] | [.Mode, .RW]' <<<"$output")" = '["ro",false]' ]
	[ "$(jq -r '.[0].HostConfig.ReadonlyRootfs' <<<"$output")" = false ]
	# z and Z are accepted (SELinux relabelling: a no-op without SELinux)
	run hrun --rm -v "$TEST_DIR/rw:/rw:ro,Z" husk-test-img cat /rw/new
	[ "$status" -eq 0 ]
	[ "$output" = ctr ]
}

@test "-v makes a missing host directory; --mount type=bind does not" {
	run hrun --rm -v "$TEST_DIR/made/here:/m" husk-test-img sh -c 'echo x >/m/f'
	[ "$status" -eq 0 ]
	[ -f "$TEST_DIR/made/here/f" ]
	run -125 hrun --rm --mount "type=bind,source=$TEST_DIR/missing,target=/m" husk-test-img true
	[[ $output == *"bind source path does not exist: $TEST_DIR/missing"* ]]
	[ ! -e "$TEST_DIR/missing" ]
	nothing_made
}

@test "mounts nest whatever the order of the flags; ./relative host paths" {
	mkdir -p "$TEST_DIR/outer" "$TEST_DIR/rel"
	echo rel >"$TEST_DIR/rel/f"
	run hrun --name nest -v inner:/x/y --mount "type=bind,src=$TEST_DIR/outer,dst=/x" --tmpfs /x/y/z \
		husk-test-img sh -c 'touch /x/y/z/t && echo in >/x/y/f && echo out >/x/g'
	[ "$status" -eq 0 ]
	[ "$(cat "$TEST_DIR/store/volumes/inner/_data/f")" = in ]
	[ "$(cat "$TEST_DIR/outer/g")" = out ]
	[ ! -e "$TEST_DIR/store/volumes/inner/_data/z/t" ]
	run bash -c "cd '$TEST_DIR' && '$HUSK' run --rm --cgroup-parent /husk-test -v ./rel:/r:ro husk-test-img cat /r/f"
	[ "$status" -eq 0 ]
	[ "$output" = rel ]
	(cd "$TEST_DIR/rel" && "$HUSK" create --name relrec -v ../rel:/r husk-test-img >/dev/null)
	[ "$(husk inspect -f '{{json .HostConfig.Binds}}' relrec)" = "[\"$TEST_DIR/rel:/r\"]" ]
}

@test "propagation rslave: a mount made on the host under the source appears inside" {
	shared_dir "$TEST_DIR/src"
	mkdir -p "$TEST_DIR/src/sub"
	id=$(hrun -d -v "$TEST_DIR/src:/mnt:rslave" husk-test-img sleep 100)
	mount -t tmpfs -o size=1m hostside "$TEST_DIR/src/sub"
	echo from-host >"$TEST_DIR/src/sub/marker"
	run husk exec "$id" sh -c 'grep " /mnt/sub " /proc/self/mountinfo; cat /mnt/sub/marker'
	umount "$TEST_DIR/src/sub"
	husk rm -f "$id"
	umount "$TEST_DIR/src"
	[ "$status" -eq 0 ]
	[[ $output == *hostside* && $output == *from-host* ]]
}

@test "propagation rshared: a mount made inside appears on the host" {
	shared_dir "$TEST_DIR/src"
	mkdir -p "$TEST_DIR/src/sub"
	id=$(hrun -d -v "$TEST_DIR/src:/mnt:rshared" husk-test-img sleep 100)
	pid=$(husk inspect -f '{{.State.Pid}}' "$id")
	prop=$(husk inspect -f '{{json .Mounts}}' "$id" | jq -r '.[0].Propagation')
	nsenter -t "$pid" -m mount -t tmpfs -o size=1m ctrside /mnt/sub
	husk exec "$id" sh -c 'echo from-ctr >/mnt/sub/marker'
	run grep " $TEST_DIR/src/sub " /proc/self/mountinfo
	seen=$(cat "$TEST_DIR/src/sub/marker" 2>/dev/null || true)
	husk rm -f "$id"
	umount "$TEST_DIR/src/sub" || true
	umount "$TEST_DIR/src"
	[ "$prop" = rshared ]
	[[ $output == *ctrside* ]]
	[ "$seen" = from-ctr ]
}

@test "propagation private (and the default): neither way" {
	shared_dir "$TEST_DIR/src"
	mkdir -p "$TEST_DIR/src/a" "$TEST_DIR/src/b"
	p=$(hrun -d -v "$TEST_DIR/src:/mnt:private" husk-test-img sleep 100)
	d=$(hrun -d -v "$TEST_DIR/src:/mnt" husk-test-img sleep 100)
	mount -t tmpfs -o size=1m hostside "$TEST_DIR/src/a"
	for id in "$p" "$d"; do
		pid=$(husk inspect -f '{{.State.Pid}}' "$id")
		nsenter -t "$pid" -m mount -t tmpfs -o size=1m ctrside /mnt/b
		run husk exec "$id" grep -c " /mnt/a " /proc/self/mountinfo
		[ "$output" = 0 ] || { echo "host mount seen in $id"; fail=1; }
		nsenter -t "$pid" -m umount /mnt/b
	done
	run grep -c " $TEST_DIR/src/b " /proc/self/mountinfo
	prop=$(husk inspect -f '{{json .Mounts}}' "$d" | jq -r '.[0].Propagation')
	husk rm -f "$p" "$d"
	umount "$TEST_DIR/src/a"
	umount "$TEST_DIR/src"
	[ "$output" = 0 ]
	[ -z "${fail:-}" ]
	[ "$prop" = rprivate ]
}

@test "propagation needs a shared (or slave) source mount, as Docker" {
	shared_dir "$TEST_DIR/priv" private
	run -125 hrun --rm -v "$TEST_DIR/priv:/mnt:rshared" husk-test-img true
	r1=$output
	run -125 hrun --rm --mount "type=bind,src=$TEST_DIR/priv,dst=/mnt,bind-propagation=rslave" husk-test-img true
	r2=$output
	umount "$TEST_DIR/priv"
	[[ $r1 == "Error: path $TEST_DIR/priv is mounted on $TEST_DIR/priv but it is not a shared mount" ]]
	[[ $r2 == *"is mounted on $TEST_DIR/priv but it is not a shared or slave mount" ]]
	nothing_made
}

@test "named volume: made on first use, filled from the image, data kept across containers" {
	run hrun --rm -v data:/data husk-test-img sh -c 'cat /data/hello /data/sub/file; stat -c "%u %a" /data; echo new >/data/n'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = from-image ]
	[ "${lines[1]}" = deep ]
	[ "${lines[2]}" = "1000 750" ]
	[ "$(husk volume ls -q)" = data ]
	[ -f "$TEST_DIR/store/volumes/data/_data/n" ]
	run hrun --rm -v data:/elsewhere husk-test-img cat /elsewhere/n /elsewhere/hello
	[ "$status" -eq 0 ]
	[ "$output" = $'new\nfrom-image' ]
	# the volume's own content stays: no copy-up into a non-empty volume
	run hrun --name cc -v data:/data husk-test-img sh -c 'rm /data/hello; ls /data'
	run hrun --rm -v data:/data husk-test-img ls /data
	[[ $output != *hello* ]]
	run husk inspect cc
	[ "$(jq -c '.[0].Mounts[0] | [.Type, .Name, .Source, .Destination, .Driver, .Mode, .RW, .Propagation]' <<<"$output")" = \
		"[\"volume\",\"data\",\"$TEST_DIR/store/volumes/data/_data\",\"/data\",\"local\",\"z\",true,\"\"]" ]
	[ "$(jq -c '.[0].HostConfig.Binds' <<<"$output")" = '["data:/data"]' ]
}

@test "nocopy: a new volume stays empty; --mount volume-nocopy too" {
	run hrun --rm -v empty:/data:nocopy husk-test-img ls -A /data
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run hrun --rm --mount type=volume,src=empty2,dst=/data,volume-nocopy husk-test-img ls -A /data
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run hrun --rm --mount type=volume,src=full,dst=/data husk-test-img cat /data/hello
	[ "$output" = from-image ]
}

@test "volume create, ls (filters), inspect, rm, prune" {
	[ "$(husk volume create v1)" = v1 ]
	[ "$(husk volume create --name v2 --label team=a --label solo)" = v2 ]
	anon=$(husk volume create)
	[[ $anon =~ ^[0-9a-f]{64}$ ]]
	[ "$(husk volume create v1)" = v1 ]
	run husk volume ls
	[ "${lines[0]}" = "DRIVER    VOLUME NAME" ]
	[[ $output == *"local     v1"* && $output == *"local     v2"* ]]
	[ "$(husk volume ls -q --filter name=v | sort | tr '\n' ' ')" = "v1 v2 " ]
	[ "$(husk volume ls -q --filter label=team=a)" = v2 ]
	[ "$(husk volume ls -q --filter label=solo)" = v2 ]
	hcreate --name user -v v1:/x husk-test-img true >/dev/null
	run husk volume ls -q --filter dangling=true
	[[ $output != *v1* && $output == *v2* ]]
	[ "$(husk volume ls -q --filter dangling=false)" = v1 ]
	run husk volume inspect v2
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0] | .Name, .Driver, .Mountpoint, .Scope, .Labels.team' <<<"$output" | tr '\n' ' ')" = \
		"v2 local $TEST_DIR/store/volumes/v2/_data local a " ]
	run -1 husk volume inspect nosuch
	[[ $output == *"No such volume: nosuch"* ]]
	run husk volume rm v2
	[ "$output" = v2 ]
	[ ! -e "$TEST_DIR/store/volumes/v2" ]
	run -1 husk volume rm v2
	[[ $output == *"No such volume: v2"* ]]
	run husk volume rm -f v2
	[ "$status" -eq 0 ]
	# prune: unused anonymous ones only; --all: every unused one; v1 is used
	hrun --rm -v /anon husk-test-img true
	husk volume create keepme >/dev/null
	run husk volume prune -f
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	husk run -d --name withanon --cgroup-parent /husk-test -v /anon husk-test-img true >/dev/null
	husk wait withanon >/dev/null
	husk rm withanon >/dev/null
	a=$(husk volume ls -q | grep -v -e v1 -e keepme -e "$anon")
	run husk volume prune -f
	[ "$output" = $'Deleted Volumes:\n'"$a" ]
	run husk volume prune -af
	[[ $output == *keepme* && $output == *"$anon"* && $output != *v1* ]]
	[ "$(husk volume ls -q)" = v1 ]
}

@test "volume rm refuses a volume a container uses, even with -f" {
	id=$(hcreate -v busy:/x husk-test-img true)
	run -1 husk volume rm busy
	[ "$output" = "Error: remove busy: volume is in use - [$id]" ]
	run -1 husk volume rm -f busy
	[[ $output == *"volume is in use"* ]]
	[ -d "$TEST_DIR/store/volumes/busy/_data" ]
	husk rm "$id"
	[ "$(husk volume rm busy)" = busy ]
}

@test "anonymous volumes: -v /ctr and image Volumes; rm -v and --rm remove them, rm keeps them, named ones stay" {
	id=$(hcreate -v /anon -v named:/named husk-vol-img true)
	run husk inspect "$id"
	anon=$(jq -r '.[0].Mounts[] | select(.Destination == "/anon") | .Name' <<<"$output")
	img=$(jq -r '.[0].Mounts[] | select(.Destination == "/vol") | .Name' <<<"$output")
	[[ $anon =~ ^[0-9a-f]{64}$ && $img =~ ^[0-9a-f]{64}$ ]]
	[ "$(jq -c '.[0].Config.Volumes' <<<"$output")" = '{"/anon":{},"/vol":{}}' ]
	[ "$(jq -c '.[0].HostConfig.Binds' <<<"$output")" = '["named:/named"]' ]
	# the image's /vol content was copied up
	[ "$(cat "$TEST_DIR/store/volumes/$img/_data/seed")" = in-vol ]
	run husk volume inspect "$anon"
	[ "$(jq -c '.[0].Labels' <<<"$output")" = '{"com.docker.volume.anonymous":""}' ]
	husk rm -v "$id"
	[ "$(husk volume ls -q)" = named ]
	# plain rm keeps them
	id=$(hcreate -v /anon husk-test-img true)
	husk rm "$id"
	[ "$(husk volume ls -q | wc -l)" -eq 2 ]
	husk volume prune -f >/dev/null
	# --rm removes them when the container exits
	run hrun --rm -v /anon husk-vol-img sh -c 'ls /vol; echo x >/anon/f'
	[ "$status" -eq 0 ]
	[ "$output" = seed ]
	[ "$(husk volume ls -q)" = named ]
	# a -v over an image volume replaces it: no anonymous volume
	run hrun --rm -v named:/vol husk-vol-img true
	[ "$(husk volume ls -q)" = named ]
}

@test "--mount: bind readonly, volume, tmpfs with size and mode; HostConfig.Mounts" {
	mkdir -p "$TEST_DIR/b"
	run hrun --name mm --mount "type=bind,source=$TEST_DIR/b,target=/b,readonly" \
		--mount type=volume,src=mv,destination=/v \
		--mount type=tmpfs,dst=/t,tmpfs-size=64m,tmpfs-mode=1770 \
		husk-test-img sh -c '! touch /b/x 2>/dev/null; touch /v/x && grep " /t " /proc/mounts; stat -c %a /t'
	[ "$status" -eq 0 ]
	[[ $output == *"tmpfs /t tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k,mode=1770"* ]]
	[ "${lines[-1]}" = 1770 ]
	[ ! -e "$TEST_DIR/b/x" ]
	[ -e "$TEST_DIR/store/volumes/mv/_data/x" ]
	run husk inspect mm
	[ "$(jq -c '.[0].HostConfig.Mounts[0]' <<<"$output")" = \
		"{\"Type\":\"bind\",\"Source\":\"$TEST_DIR/b\",\"Target\":\"/b\",\"ReadOnly\":true,\"BindOptions\":{\"Propagation\":\"rprivate\"}}" ]
	[ "$(jq -c '.[0].HostConfig.Mounts[2].TmpfsOptions' <<<"$output")" = '{"SizeBytes":67108864,"Mode":1016}' ]
	[ "$(jq -c '[.[0].Mounts[] | [.Type, .Destination, .RW, .Mode]]' <<<"$output")" = \
		'[["bind","/b",false,""],["volume","/v",true,""],["tmpfs","/t",true,""]]' ]
	[ "$(jq -r '.[0].HostConfig.Binds' <<<"$output")" = null ]
}

@test "--tmpfs: a tmpfs with Docker's defaults and the options given; HostConfig.Tmpfs" {
	run hrun --name tt --tmpfs /run --tmpfs /scratch:rw,size=1m,mode=700,exec husk-test-img \
		sh -c 'grep -E " /(run|scratch) " /proc/mounts'
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime"* ]]
	[[ ${lines[1]} == "tmpfs /scratch tmpfs rw,nosuid,nodev,relatime,size=1024k,mode=700"* ]]
	run husk inspect tt
	[ "$(jq -c '.[0].HostConfig.Tmpfs' <<<"$output")" = '{"/run":"","/scratch":"rw,size=1m,mode=700,exec"}' ]
	[ "$(jq -c '.[0].Mounts' <<<"$output")" = '[]' ]
}

@test "--read-only: / refuses writes; a --tmpfs /tmp, a volume and /dev stay writable" {
	run hrun --name rr --read-only --tmpfs /tmp -v rov:/data husk-test-img \
		sh -c '! touch /newfile && touch /tmp/ok /data/ok && echo x >/dev/null && grep " / " /proc/mounts'
	[ "$status" -eq 0 ]
	[[ $output == *"Read-only file system"* ]]
	[[ $output == *" / overlay ro,"* ]]
	run husk inspect rr
	[ "$(jq -r '.[0].HostConfig.ReadonlyRootfs' <<<"$output")" = true ]
}

@test "bad specs: one clear line, exit 125, nothing made" {
	run -125 hrun -v :/x husk-test-img true
	[ "$output" = "Error: invalid volume specification: ':/x'" ]
	run -125 hrun -v /a:rel husk-test-img true
	[[ $output == *"invalid mount path: 'rel' mount path must be absolute"* ]]
	run -125 hrun -v /a:/b:bogus husk-test-img true
	[ "$output" = "Error: invalid mode: bogus" ]
	run -125 hrun -v /a:/b:ro,rw husk-test-img true
	[ "$output" = "Error: invalid mode: ro,rw" ]
	run -125 hrun -v /a:/b:c:d husk-test-img true
	[ "$output" = "Error: invalid volume specification: '/a:/b:c:d'" ]
	run -125 hrun -v 'bad$name:/x' husk-test-img true
	[[ $output == *'"bad$name" includes invalid characters for a local volume name'* ]]
	run -125 hrun -v /x:/ husk-test-img true
	[[ $output == *"destination can't be '/'"* ]]
	run -125 hrun --mount type=bind,target=/x husk-test-img true
	[[ $output == *"field Source must not be empty"* ]]
	run -125 hrun --mount type=volume,src=v,dst=/x,bind-propagation=rshared husk-test-img true
	[[ $output == *"field BindOptions must not be specified"* ]]
	run -125 hrun --mount type=bind,src=/tmp,dst=/x,bind-propagation=sideways husk-test-img true
	[[ $output == *"invalid propagation: sideways"* ]]
	run -125 hrun --mount type=nfs,dst=/x husk-test-img true
	[[ $output == *"unsupported mount type: 'nfs'"* ]]
	run -125 hrun --mount type=volume,dst=/x,colour=red husk-test-img true
	[[ $output == *"unexpected key 'colour'"* ]]
	run -125 hrun --tmpfs rel husk-test-img true
	[[ $output == *"mount path must be absolute"* ]]
	run -125 hrun -v v1:/x -v v2:/x husk-test-img true
	[ "$output" = "Error: Duplicate mount point: /x" ]
	# an image's Volumes are checked too: none over the whole rootfs
	id=$(husk load -i "$BATS_FILE_TMPDIR/ocibad" | sed -n 's/^Loaded image ID: //p')
	run -125 hrun -v v1:/x "$id" true
	[ "$output" = "Error: image config Volumes: invalid specification: destination can't be '/'" ]
	husk rmi "$id" >/dev/null
	# a later failure (here: a propagation the source cannot give) undoes
	# the volumes made before it
	shared_dir "$TEST_DIR/p" private
	run -125 hrun -v made:/m -v /anon -v "$TEST_DIR/p:/p:rshared" husk-test-img true
	umount "$TEST_DIR/p"
	[[ $output == *"not a shared mount"* ]]
	for l in "${lines[@]}"; do [[ $l == Error:* ]]; done
	[ "${#lines[@]}" -eq 1 ]
	nothing_made
	[ -z "$(ls "$TEST_DIR/store/volumes")" ]
}
