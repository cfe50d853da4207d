#!/usr/bin/env bats
# `husk pull` from a real registry: Debian's docker-registry, started by
# each test on 127.0.0.1 with its own config and storage in the test's
# temp dir, images pushed to it with skopeo from OCI layouts built here
# with umoci out of busybox-static. Plain, basic-auth and token-auth
# registries; gzip, zstd and uncompressed layers; a multi-arch index; a
# corrupted blob; an interrupted pull that resumes through a throttling
# proxy (pull/proxy.py). Every process a test starts is recorded and
# stopped by its PID in teardown; all traffic stays on 127.0.0.1.

HUSK=${HUSK:-}
PULL_DIR=$(dirname "${BATS_TEST_FILENAME}")/pull
BUSYBOX=${BUSYBOX:-/bin/busybox}

setup_file() {
	[[ -x $HUSK ]] || skip "set HUSK to the husk binary"
	for c in docker-registry skopeo umoci python3 htpasswd openssl; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
	local t=$BATS_FILE_TMPDIR
	mkdir -p "$t/rootfs/bin" "$t/rootfs/etc"
	cp "$BUSYBOX" "$t/rootfs/bin/busybox"
	ln -s busybox "$t/rootfs/bin/sh"
	echo hello >"$t/rootfs/etc/hello"
	umoci init --layout "$t/oci" >&3
	# img: busybox; img2: the same first layer and one more; arm: another
	# image that plays linux/arm64 in the multi-arch index
	umoci new --image "$t/oci:img" >&3
	umoci unpack --image "$t/oci:img" "$t/b1" >&3
	cp -a "$t/rootfs/." "$t/b1/rootfs/"
	umoci repack --image "$t/oci:img" "$t/b1" >&3
	umoci config --image "$t/oci:img" --config.cmd /bin/sh >&3
	umoci unpack --image "$t/oci:img" "$t/b2" >&3
	echo two >"$t/b2/rootfs/etc/two"
	umoci repack --image "$t/oci:img2" "$t/b2" >&3
	umoci new --image "$t/oci:arm" >&3
	umoci unpack --image "$t/oci:arm" "$t/b3" >&3
	echo arm64 >"$t/b3/rootfs/arch"
	umoci repack --image "$t/oci:arm" "$t/b3" >&3
	umoci config --image "$t/oci:arm" --architecture arm64 >&3
	# big: a 24 MB incompressible layer, for the interrupted pull
	umoci new --image "$t/oci:big" >&3
	umoci unpack --image "$t/oci:big" "$t/b4" >&3
	head -c 24M /dev/urandom >"$t/b4/rootfs/big"
	umoci repack --image "$t/oci:big" "$t/b4" >&3
	# bigger: big and one small layer on top
	umoci unpack --image "$t/oci:big" "$t/b6" >&3
	echo small >"$t/b6/rootfs/small"
	umoci repack --image "$t/oci:bigger" "$t/b6" >&3
	rm -rf "$t/b4" "$t/b6"
	# plain: content no earlier run had (skopeo would reuse a gzip'd copy
	# of a layer it pushed before), copied with its layer decompressed
	umoci new --image "$t/oci:plain" >&3
	umoci unpack --image "$t/oci:plain" "$t/b5" >&3
	cp -a "$t/rootfs/." "$t/b5/rootfs/"
	head -c 64k /dev/urandom >"$t/b5/rootfs/random"
	umoci repack --image "$t/oci:plain" "$t/b5" >&3
	skopeo copy -q --dest-decompress "oci:$t/oci:plain" "dir:$t/plain" >&3
	python3 "$PULL_DIR/mkindex.py" "$t/oci" multi img:linux/amd64 arm:linux/arm64/v8
}

setup() {
	[[ -x $HUSK ]] || skip "set HUSK to the husk binary"
	[[ $EUID -eq 0 ]] || skip "needs root"
	TEST_DIR=$(mktemp -d /tmp/husk-test.XXXXXX)
	STORE=$TEST_DIR/store
	OCI=$BATS_FILE_TMPDIR/oci
	export DOCKER_CONFIG=$TEST_DIR/docker
	unset HUSK_INSECURE_REGISTRIES
}

teardown() {
	local pid
	if [[ -f ${TEST_DIR:-}/pids ]]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null || true
		done <"$TEST_DIR/pids"
		while read -r pid; do
			for _ in $(seq 50); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			kill -9 "$pid" 2>/dev/null || true
		done <"$TEST_DIR/pids"
	fi
	[[ -n ${TEST_DIR:-} ]] && rm -rf "$TEST_DIR"
}

husk() {
	timeout 120 "$HUSK" --storage "$STORE" "$@"
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_http() { # URL: until it answers (any status)
	for _ in $(seq 100); do
		curl -sk -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "nothing answers at $1" >&2
	return 1
}

# start_registry NAME [AUTH_YAML [TLS_DIR]]: docker-registry on
# 127.0.0.1:$PORT with its storage under $TEST_DIR/NAME (https with
# TLS_DIR's server.crt and server.key); sets REG (host:port) and REGDIR.
start_registry() {
	local name=$1 auth=${2:-} tls=${3:-} port
	port=$(free_port)
	REGDIR=$TEST_DIR/$name
	"$PULL_DIR/registry-config.sh" "$REGDIR" "127.0.0.1:$port" "$auth" "$tls"
	docker-registry serve "$REGDIR/config.yml" >"$REGDIR/log" 2>&1 &
	echo $! >>"$TEST_DIR/pids"
	REG=127.0.0.1:$port
	wait_http "http${tls:+s}://$REG/v2/"
}

# start_proxy RATE [FAIL_BLOBS]: pull/proxy.py in front of $REG, logging
# to $TEST_DIR/proxy.log; sets VIA (host:port).
start_proxy() {
	python3 "$PULL_DIR/proxy.py" "$TEST_DIR/proxy-port" "${REG#*:}" "$TEST_DIR/proxy.log" "$@" &
	echo $! >>"$TEST_DIR/pids"
	for _ in $(seq 50); do [[ -f $TEST_DIR/proxy-port ]] && break; sleep 0.1; done
	VIA=127.0.0.1:$(cat "$TEST_DIR/proxy-port")
}

push() { # push OCI_TAG REF [skopeo flags...]
	local tag=$1 ref=$2
	shift 2
	skopeo copy -q --dest-tls-verify=false "$@" "oci:$OCI:$tag" "docker://$ref" >&3
}

# push_dir DIR REG NAME TAG: a skopeo dir: image, blobs and manifest as
# they are, uploaded monolithically (POST, then PUT with the digest).
push_dir() {
	local dir=$1 reg=$2 name=$3 tag=$4 d loc
	for d in $(jq -r '.config.digest, .layers[].digest' "$dir/manifest.json"); do
		loc=$(curl -sf -X POST -D - -o /dev/null "http://$reg/v2/$name/blobs/uploads/" |
			tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
		[[ $loc == http* ]] || loc=http://$reg$loc
		curl -sf -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$dir/${d#sha256:}" \
			"$loc&digest=$d" >/dev/null
	done
	curl -sf -X PUT -H "Content-Type: $(jq -r '.mediaType // "application/vnd.oci.image.manifest.v1+json"' "$dir/manifest.json")" \
		--data-binary "@$dir/manifest.json" "http://$reg/v2/$name/manifests/$tag" >/dev/null
}

config_of() { # the config digest (image ID) of tag in the OCI layout
	local m
	m=$(jq -r --arg t "$1" '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' "$OCI/index.json")
	jq -r '.config.digest' "$OCI/blobs/sha256/${m#sha256:}"
}

# registry blob data file of a digest
reg_blob() { echo "$REGDIR/storage/docker/registry/v2/blobs/sha256/${1:7:2}/${1#sha256:}/data"; }

# No image listed, nothing left staged.
store_empty() {
	run husk images -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ -z "$(ls -A "$STORE/images")" ]
}

@test "pull from a loopback registry: listed, the ID husk load gives, busybox in the layer" {
	start_registry reg
	push img "$REG/husk-test/busybox:1"
	run husk pull "$REG/husk-test/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "1: Pulling from husk-test/busybox" ]
	[[ $output == *": Pull complete"* ]]
	[[ $output =~ Digest:\ sha256:[0-9a-f]{64} ]]
	[[ $output == *"Status: Downloaded newer image for $REG/husk-test/busybox:1"* ]]
	[ "${lines[-1]}" = "$REG/husk-test/busybox:1" ]

	run husk images
	[[ ${lines[1]} =~ ^$REG/husk-test/busybox\ +1\ + ]]
	run husk image inspect "$REG/husk-test/busybox:1"
	local id
	id=$(jq -r '.[0].Id' <<<"$output")
	[ "$id" = "$(config_of img)" ]
	[[ $(jq -r '.[0].RepoDigests[0]' <<<"$output") == "$REG/husk-test/busybox@sha256:"* ]]
	# what husk load of the same layout gives, in another store
	STORE=$TEST_DIR/store2 husk load -i "$OCI" >/dev/null
	run env STORE= "$HUSK" --storage "$TEST_DIR/store2" image inspect "${id:7:12}"
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	# the busybox binary arrived intact
	local diff
	diff=$(jq -r '.rootfs.diff_ids[0]' "$OCI/blobs/sha256/${id#sha256:}")
	cmp "$BUSYBOX" "$STORE/layers/${diff#sha256:}/diff/bin/busybox"
	[ -z "$(ls -A "$STORE/partial")" ]

	# a partial download given up on a week ago goes; a recent one stays
	mkdir -p "$STORE/partial"
	echo old >"$STORE/partial/$(printf %064d 1)"
	touch -d '8 days ago' "$STORE/partial/$(printf %064d 1)"
	echo new >"$STORE/partial/$(printf %064d 2)"

	# again: nothing to download
	run husk pull "$REG/husk-test/busybox:1"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Image is up to date for $REG/husk-test/busybox:1"* ]]
	[[ $output != *"Pull complete"* ]]
	[ ! -e "$STORE/partial/$(printf %064d 1)" ]
	[ -e "$STORE/partial/$(printf %064d 2)" ]
}

@test "pull: a second image shares the first layer; -q prints the name only" {
	start_registry reg
	push img "$REG/husk-test/a:1"
	push img2 "$REG/husk-test/b:1"
	husk pull -q "$REG/husk-test/a:1"
	run husk pull "$REG/husk-test/b:1"
	[ "$status" -eq 0 ]
	[[ $output == *"Already exists"* ]]
	[ "$(grep -c 'Pull complete' <<<"$output")" = 1 ]
	run husk pull -q "$REG/husk-test/b:1"
	[ "$output" = "$REG/husk-test/b:1" ]
	run husk images -q
	[ "${#lines[@]}" = 2 ]
	[ "$(find "$STORE/layers" -mindepth 1 -maxdepth 1 | wc -l)" = 2 ]
	[ "$(husk image inspect "$REG/husk-test/b:1" | jq -r '.[0].Id')" = "$(config_of img2)" ]
}

@test "pull by digest" {
	start_registry reg
	push img "$REG/husk-test/busybox:1"
	local digest
	digest=$(skopeo inspect --tls-verify=false "docker://$REG/husk-test/busybox:1" | jq -r .Digest)
	run husk pull "$REG/husk-test/busybox@$digest"
	[ "$status" -eq 0 ]
	[[ $output == *"Digest: $digest"* ]]
	run husk image inspect "$REG/husk-test/busybox@$digest"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$(config_of img)" ]
	[ "$(jq -r '.[0].RepoDigests[0]' <<<"$output")" = "$REG/husk-test/busybox@$digest" ]
	[ "$(jq -r '.[0].RepoTags | length' <<<"$output")" = 0 ]
	# a digest the registry does not have
	run husk pull "$REG/husk-test/busybox@sha256:$(printf %064d 0)"
	[ "$status" -ne 0 ]
	[[ $output == *"manifest unknown"* ]]
}

@test "pull zstd and uncompressed layers: the same image" {
	start_registry reg
	push img "$REG/husk-test/z:1" --dest-compress-format zstd --dest-compress
	# skopeo 1.9 gzips layers pushed to a registry whatever it is told:
	# the uncompressed one goes up through the registry API with curl
	push_dir "$BATS_FILE_TMPDIR/plain" "$REG" husk-test/u 1
	# the registry really holds zstd and plain layers
	curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/husk-test/z/manifests/1" |
		jq -r '.layers[0].mediaType' | grep -q zstd
	local u
	u=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/husk-test/u/manifests/1" | jq -r '.layers[0].mediaType')
	[[ $u == *.tar ]]
	run husk pull "$REG/husk-test/z:1"
	[ "$status" -eq 0 ]
	run husk pull "$REG/husk-test/u:1"
	[ "$status" -eq 0 ]
	[ "$(husk image inspect "$REG/husk-test/z:1" | jq -r '.[0].Id')" = "$(config_of img)" ]
	[ "$(husk image inspect "$REG/husk-test/u:1" | jq -r '.[0].Id')" = "$(config_of plain)" ]
	local id diff
	id=$(config_of img)
	diff=$(jq -r '.rootfs.diff_ids[0]' "$OCI/blobs/sha256/${id#sha256:}")
	cmp "$BUSYBOX" "$STORE/layers/${diff#sha256:}/diff/bin/busybox"
	id=$(config_of plain)
	diff=$(jq -r '.rootfs.diff_ids[0]' "$OCI/blobs/sha256/${id#sha256:}")
	cmp "$BATS_FILE_TMPDIR/b5/rootfs/random" "$STORE/layers/${diff#sha256:}/diff/random"
}

@test "pull a multi-arch index: the amd64 entry, --platform picks another, none matching fails" {
	[ "$(uname -m)" = x86_64 ] || skip "the index's host entry is amd64"
	start_registry reg
	push multi "$REG/husk-test/multi:1" --all
	run husk pull "$REG/husk-test/multi:1"
	[ "$status" -eq 0 ]
	[ "$(husk image inspect "$REG/husk-test/multi:1" | jq -r '.[0].Id')" = "$(config_of img)" ]
	# the repo digest names the index, as Docker's does
	local idx
	idx=$(skopeo inspect --raw --tls-verify=false "docker://$REG/husk-test/multi:1" | sha256sum | cut -d' ' -f1)
	[ "$(husk image inspect "$REG/husk-test/multi:1" | jq -r '.[0].RepoDigests[0]')" = "$REG/husk-test/multi@sha256:$idx" ]
	run husk pull --platform linux/arm64 "$REG/husk-test/multi:1"
	[ "$status" -eq 0 ]
	[ "$(husk image inspect "$REG/husk-test/multi:1" | jq -r '.[0].Id')" = "$(config_of arm)" ]
	run husk pull --platform linux/s390x "$REG/husk-test/multi:1"
	[ "$status" -ne 0 ]
	[[ $output == *"no matching manifest for linux/s390x"* ]]
	[[ $output == *"linux/amd64"* ]]
}

@test "pull from a registry with basic auth: husk login, logout, wrong password" {
	htpasswd -Bbn alice s3cret >"$TEST_DIR/htpasswd"
	start_registry reg "auth: {htpasswd: {realm: husk-test, path: $TEST_DIR/htpasswd}}"
	push img "$REG/husk-test/busybox:1" --dest-creds alice:s3cret
	run husk pull "$REG/husk-test/busybox:1"
	[ "$status" -ne 0 ]
	[[ $output == *"$REG"*"authentication required"* ]]
	store_empty

	echo s3cret | husk login -u alice --password-stdin "$REG"
	[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" = 600 ]
	jq -e --arg r "$REG" '.auths[$r].auth' "$DOCKER_CONFIG/config.json"
	run husk pull "$REG/husk-test/busybox:1"
	[ "$status" -eq 0 ]
	[ "$(husk image inspect "$REG/husk-test/busybox:1" | jq -r '.[0].Id')" = "$(config_of img)" ]

	run husk logout "$REG"
	[ "$status" -eq 0 ]
	husk rmi "$REG/husk-test/busybox:1"
	run husk pull "$REG/husk-test/busybox:1"
	[ "$status" -ne 0 ]

	# a wrong password: login refuses it (and keeps nothing), pull with
	# it in the config file fails
	run husk login -u alice -p wrong "$REG"
	[ "$status" -eq 1 ]
	[ "$output" = "Error: $REG: unauthorized: incorrect username or password" ]
	[ "$(jq -r --arg r "$REG" '.auths[$r]' "$DOCKER_CONFIG/config.json")" = null ]
	printf '{"auths":{"%s":{"auth":"%s"}}}' "$REG" "$(printf alice:wrong | base64)" >"$DOCKER_CONFIG/config.json"
	run husk pull "$REG/husk-test/busybox:1"
	[ "$status" -ne 0 ]
	[[ $output == *"$REG"* ]]
	[[ $output == *"authentication required"* || $output == *unauthorized* ]]
	store_empty
}

@test "pull from a registry behind token auth: the token is fetched with the login's credentials" {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=husk-test-token \
		-keyout "$TEST_DIR/key.pem" -out "$TEST_DIR/cert.pem" 2>/dev/null
	python3 "$PULL_DIR/token-server.py" "$TEST_DIR/token-port" "$TEST_DIR/key.pem" "$TEST_DIR/cert.pem" \
		alice:s3cret husk-test-registry &
	echo $! >>"$TEST_DIR/pids"
	for _ in $(seq 50); do [[ -f $TEST_DIR/token-port ]] && break; sleep 0.1; done
	local realm
	realm=http://127.0.0.1:$(cat "$TEST_DIR/token-port")/token
	start_registry reg "auth: {token: {realm: '$realm', service: husk-test-registry, issuer: husk-test-issuer, rootcertbundle: $TEST_DIR/cert.pem}}"
	push img "$REG/husk-test/busybox:1" --dest-creds alice:s3cret
	# the challenge is a Bearer one
	curl -s -D - -o /dev/null "http://$REG/v2/" | grep -qi '^www-authenticate: Bearer'

	run husk pull "$REG/husk-test/busybox:1"
	[ "$status" -ne 0 ]
	[[ $output == *"$REG: unauthorized"* ]]
	store_empty
	run husk login -u alice -p wrong "$REG"
	[ "$status" -eq 1 ]
	[[ $output == *"$REG: unauthorized: incorrect username or password"* ]]
	husk login -u alice -p s3cret "$REG"
	run husk pull "$REG/husk-test/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(husk image inspect "$REG/husk-test/busybox:1" | jq -r '.[0].Id')" = "$(config_of img)" ]
}

@test "pull: a corrupted blob in the registry is rejected, naming its digest; nothing listed" {
	start_registry reg
	push img "$REG/husk-test/busybox:1"
	local id layer data
	id=$(config_of img)
	layer=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/husk-test/busybox/manifests/1" | jq -r '.layers[0].digest')
	data=$(reg_blob "$layer")
	[ -f "$data" ]
	# same size, other bytes: only the digest can tell
	printf 'husk-test-corruption' | dd of="$data" bs=1 seek=100000 conv=notrunc 2>/dev/null
	run husk pull "$REG/husk-test/busybox:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"blob $layer: content has digest sha256:"* ]]
	store_empty
	[ ! -e "$STORE/partial/${layer#sha256:}" ]
	[ ! -e "$STORE/blobs/sha256/${layer#sha256:}" ]
}

@test "pull: a corrupted layer stops the other downloads; what they got is kept for a resume" {
	start_registry reg
	push bigger "$REG/husk-test/bigger:1"
	local small big size
	small=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/husk-test/bigger/manifests/1" | jq -r '.layers[1].digest')
	big=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/husk-test/bigger/manifests/1" | jq -r '.layers[0].digest')
	size=$(stat -c %s "$(reg_blob "$big")")
	printf 'husk-test-corruption' | dd of="$(reg_blob "$small")" bs=1 seek=20 conv=notrunc 2>/dev/null
	# 2 MB/s: the big layer would take 12 s
	start_proxy 2000000
	local via=$VIA
	run husk pull "$via/husk-test/bigger:1"
	[ "$status" -ne 0 ]
	[[ $output == *"blob $small: content has digest"* ]]
	store_empty
	# the big download was cut short, and its bytes are kept
	local sent
	for _ in $(seq 50); do grep -q "blobs/$big" "$TEST_DIR/proxy.log" && break; sleep 0.1; done
	sent=$(sed -n "s|^GET /v2/husk-test/bigger/blobs/$big range=- status=200 bytes=||p" "$TEST_DIR/proxy.log")
	((sent > 0 && sent < size))
	(($(stat -c %s "$STORE/partial/${big#sha256:}") > 0))
}

@test "pull: a layer whose content the config contradicts fails its unpack while another unpacks; nothing listed" {
	start_registry reg
	local d=$TEST_DIR/bad cfg new
	skopeo copy -q "oci:$OCI:bigger" "dir:$d" >&3
	cfg=$(jq -r '.config.digest' "$d/manifest.json")
	# the small layer's diffID, as the config gives it, made wrong
	jq -c '.rootfs.diff_ids[1] = "sha256:" + ("0" * 64)' "$d/${cfg#sha256:}" >"$d/config.new"
	new=sha256:$(sha256sum "$d/config.new" | cut -d' ' -f1)
	mv "$d/config.new" "$d/${new#sha256:}"
	rm "$d/${cfg#sha256:}"
	jq --arg c "$new" --argjson n "$(stat -c %s "$d/${new#sha256:}")" '.config.digest = $c | .config.size = $n' \
		"$d/manifest.json" >"$d/m.new"
	mv "$d/m.new" "$d/manifest.json"
	push_dir "$d" "$REG" husk-test/contradicted 1
	run husk pull "$REG/husk-test/contradicted:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"uncompressed content has digest sha256:"*", the image config says sha256:0000"* ]]
	store_empty
	[ -z "$(ls -A "$STORE/layers")" ]
}

@test "pull: an interrupted download resumes where it stopped" {
	start_registry reg
	push big "$REG/husk-test/big:1"
	local layer size
	layer=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/husk-test/big/manifests/1" | jq -r '.layers[0].digest')
	size=$(stat -c %s "$(reg_blob "$layer")")
	# 4 MB/s through the proxy: the 24 MB layer takes 6 s
	start_proxy 4000000
	local via=$VIA

	"$HUSK" --storage "$STORE" pull "$via/husk-test/big:1" >"$TEST_DIR/pull1.log" 2>&1 &
	local pid=$!
	echo $pid >>"$TEST_DIR/pids"
	local partial=$STORE/partial/${layer#sha256:}
	for _ in $(seq 100); do
		[[ -f $partial ]] && (($(stat -c %s "$partial") > 4000000)) && break
		sleep 0.1
	done
	kill -9 "$pid"
	wait "$pid" || true
	local had
	had=$(stat -c %s "$partial")
	((had > 4000000 && had < size))
	[ -z "$(husk images -q)" ]

	run husk pull "$via/husk-test/big:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(husk image inspect "$via/husk-test/big:1" | jq -r '.[0].Id')" = "$(config_of big)" ]
	cat "$TEST_DIR/proxy.log"
	# the second pull asked for the rest only, and got only that
	grep -q "GET /v2/husk-test/big/blobs/$layer range=bytes=$had- status=206 bytes=$((size - had))\$" "$TEST_DIR/proxy.log"
	[ ! -e "$partial" ]
}

@test "pull: a registry answering 503 for a while is retried" {
	start_registry reg
	push img "$REG/husk-test/busybox:1"
	start_proxy 0 3
	local via=$VIA
	run husk pull "$via/husk-test/busybox:1"
	[ "$status" -eq 0 ]
	[ "$(husk image inspect "$via/husk-test/busybox:1" | jq -r '.[0].Id')" = "$(config_of img)" ]
	[ "$(grep -c 'status=503' "$TEST_DIR/proxy.log")" = 3 ]
}

@test "pull: an unknown tag, an unknown repository, a registry that is not there" {
	start_registry reg
	push img "$REG/husk-test/busybox:1"
	run husk pull "$REG/husk-test/busybox:nope"
	[ "$status" -eq 1 ]
	[ "$output" = "Error: manifest for $REG/husk-test/busybox:nope not found: manifest unknown" ]
	run husk pull "$REG/husk-test/nothere:1"
	[ "$status" -eq 1 ]
	[[ $output == *"not found"* ]]
	store_empty
	local port
	port=$(free_port)
	run husk pull "127.0.0.1:$port/husk-test/busybox:1"
	[ "$status" -eq 1 ]
	[[ $output == *"registry 127.0.0.1:$port"* ]]
	store_empty
	run husk pull --platform nonsense "$REG/husk-test/busybox:1"
	[ "$status" -ne 0 ]
	[[ $output == *"invalid platform"* ]]
}

@test "pull over https: loopback without verification; a named registry with its CA in certs.d, refused without" {
	# a CA, and a certificate it signs for registry.test and 127.0.0.1
	local tls=$TEST_DIR/tls port
	mkdir -p "$tls"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=husk-test-ca \
		-keyout "$tls/ca.key" -out "$tls/ca.crt" 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -subj /CN=registry.test \
		-keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
	printf 'subjectAltName=DNS:registry.test,IP:127.0.0.1\n' >"$tls/ext"
	openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" -CAcreateserial \
		-days 2 -extfile "$tls/ext" -out "$tls/server.crt" 2>/dev/null
	start_registry tls "" "$tls"
	port=${REG#*:}
	push img "$REG/tls/busybox:latest"
	# plain http gets nowhere there: what husk pulls comes over TLS
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/")" != 200 ]

	# on loopback: https first, unverified, as Docker treats 127.0.0.0/8
	run husk pull -q "$REG/tls/busybox:latest"
	[ "$status" -eq 0 ]
	[ "$(husk images -q --no-trunc "$REG/tls/busybox")" = "$(config_of img)" ]
	husk rmi "$REG/tls/busybox:latest" >/dev/null

	# by a name (registry.test, in a mount namespace of the test's own whose
	# /etc/hosts says 127.0.0.1): verified, so refused without its CA ...
	printf '127.0.0.1 localhost\n127.0.0.1 registry.test\n' >"$TEST_DIR/hosts"
	named() {
		unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift && exec "$@"' sh "$TEST_DIR/hosts" \
			env HUSK_CERTS_D="$TEST_DIR/certs.d" timeout 120 "$HUSK" --storage "$STORE" "$@"
	}
	run named pull -q "registry.test:$port/tls/busybox:latest"
	[ "$status" -eq 1 ]
	[[ $output == *"registry registry.test:$port: "*"certificate"* ]]
	[[ $output == *"$TEST_DIR/certs.d/registry.test:$port/ca.crt"* ]]
	store_empty
	# ... and pulled with it
	mkdir -p "$TEST_DIR/certs.d/registry.test:$port"
	cp "$tls/ca.crt" "$TEST_DIR/certs.d/registry.test:$port/ca.crt"
	run named pull -q "registry.test:$port/tls/busybox:latest"
	[ "$status" -eq 0 ]
	[ "$(husk images -q --no-trunc "registry.test:$port/tls/busybox")" = "$(config_of img)" ]
}
