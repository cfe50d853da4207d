#!/usr/bin/env bats
# OCI hooks: prestart, createRuntime, createContainer, startContainer,
# poststart, poststop.

load helpers

setup() {
	setup_bundle
	HOOKS=$TEST_DIR/hooks
	mkdir "$HOOKS"
	# hook.sh NAME OUTDIR [ARG...]: records the state it got on stdin, its
	# arguments and environment, and the order hooks ran in.
	cat >"$TEST_DIR/hook.sh" <<-'EOF'
		#!/bin/sh
		name=$1
		out=$2
		cat >"$out/$name.state"
		echo "$*" >"$out/$name.args"
		env >"$out/$name.env"
		echo "$name" >>"$out/order"
	EOF
	chmod 755 "$TEST_DIR/hook.sh"
	# startContainer runs in the container: its path resolves in the rootfs
	# and it writes through a bind mount of $HOOKS.
	cp "$TEST_DIR/hook.sh" "$ROOTFS/hook.sh"
	add_mount /hooks-out bind "$HOOKS" rbind rw
}

teardown() { teardown_bundle; }

# add_hook KIND NAME OUTDIR PATH: a hook of KIND running PATH NAME OUTDIR extra.
add_hook() {
	update_config '.hooks[$k] += [{"path": $p, "args": ["hook.sh", $n, $o, "extra-arg"], "env": ["HUSK_HOOK=\($n)", "PATH=/usr/bin:/bin"]}]' \
		--arg k "$1" --arg n "$2" --arg o "$3" --arg p "$4"
}

add_all_hooks() {
	local k
	for k in prestart createRuntime createContainer poststart poststop; do
		add_hook "$k" "$k" "$HOOKS" "$TEST_DIR/hook.sh"
	done
	add_hook startContainer startContainer /hooks-out /hook.sh
}

# check_hook NAME STATUS...: the hook ran with the state on stdin, its args
# and its env; the state's status is one of STATUS.
check_hook() {
	local name=$1 st
	shift
	[ -s "$HOOKS/$name.state" ] || {
		echo "hook $name did not run or got no state" >&2
		return 1
	}
	st=$HOOKS/$name.state
	jq -e --arg id "$ID" '.id == $id' "$st" >/dev/null
	jq -e --arg b "$BUNDLE" '.bundle == $b' "$st" >/dev/null
	jq -e '.ociVersion' "$st" >/dev/null
	local status_ok=0 s
	for s in "$@"; do
		jq -e --arg s "$s" '.status == $s' "$st" >/dev/null && status_ok=1
	done
	[ "$status_ok" = 1 ] || {
		echo "hook $name: status $(jq -r .status "$st"), wanted one of $*" >&2
		return 1
	}
	grep -qx "$name [^ ]* extra-arg" "$HOOKS/$name.args"
	grep -qx "HUSK_HOOK=$name" "$HOOKS/$name.env"
}

@test "every hook runs with the state on stdin, its args and env" {
	add_all_hooks
	set_args sh -c 'echo process >> /hooks-out/order; sleep 4242'
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	check_hook prestart created creating
	check_hook createRuntime created creating
	check_hook createContainer created creating
	[ ! -e "$HOOKS/startContainer.state" ]
	[ "$(jq .pid "$HOOKS/createRuntime.state")" = "$pid" ]
	# The host's pid (runc 1.1 passes the container's own pid, 1).
	local cc_pid
	cc_pid=$(jq .pid "$HOOKS/createContainer.state")
	[ "$cc_pid" = "$pid" ] || { is_runc && [ "$cc_pid" = 1 ]; }

	rt start "$ID"
	wait_for test -s "$HOOKS/poststart.state"
	wait_for test -s "$HOOKS/startContainer.state"
	check_hook startContainer created running
	check_hook poststart running created
	[ "$(jq .pid "$HOOKS/poststart.state")" = "$pid" ]
	[ ! -e "$HOOKS/poststop.state" ]

	rt kill "$ID" KILL
	wait_for_status "$ID" stopped
	[ ! -e "$HOOKS/poststop.state" ]
	rt delete "$ID"
	check_hook poststop stopped
}

@test "hooks run in the lifecycle's order; poststart only after start" {
	husk_only "defer poststart hooks to start (runc 1.1 runs them at create)"
	add_all_hooks
	set_args sh -c 'echo process >> /hooks-out/order; sleep 4242'
	rt create --bundle "$BUNDLE" "$ID"
	[ ! -e "$HOOKS/poststart.state" ]
	rt start "$ID"
	wait_for test -s "$HOOKS/poststart.state"
	check_hook poststart running
	wait_for grep -q process "$HOOKS/order"
	rt delete --force "$ID"
	check_hook poststop stopped
	local order
	order=$(tr '\n' ' ' <"$HOOKS/order")
	# prestart and createRuntime, then createContainer, then startContainer
	# right before the user process; poststart after start; poststop last.
	case "$order" in
	"prestart createRuntime createContainer startContainer process poststart poststop " | \
		"prestart createRuntime createContainer startContainer poststart process poststop ") ;;
	*)
		echo "hook order: $order" >&2
		false
		;;
	esac
}

@test "createRuntime and prestart run in the runtime namespace, createContainer in the container's" {
	for k in createRuntime createContainer; do
		update_config '.hooks[$k] += [{"path": "/bin/sh", "args": ["sh", "-c", "readlink /proc/self/ns/mnt > \($o)/\($k).mnt; readlink /proc/self/ns/net > \($o)/\($k).net"]}]' \
			--arg k "$k" --arg o "$HOOKS"
	done
	add_namespace network
	set_args sleep 4242
	rt create --bundle "$BUNDLE" "$ID"
	pid=$(container_pid "$ID")
	[ "$(cat "$HOOKS/createRuntime.mnt")" = "$(ns_of $$ mnt)" ]
	[ "$(cat "$HOOKS/createContainer.mnt")" = "$(ns_of "$pid" mnt)" ]
	[ "$(cat "$HOOKS/createContainer.net")" = "$(ns_of "$pid" net)" ]
	[ "$(cat "$HOOKS/createRuntime.net")" = "$(ns_of $$ net)" ]
}

@test "run runs every hook too" {
	add_all_hooks
	set_args true
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		[ -s "$HOOKS/$h.state" ] || {
			echo "hook $h did not run" >&2
			false
		}
	done
	# The same order as create + start + delete; poststart after the exec.
	[[ $(basename "$RUNTIME") == runc ]] && return 0 # runc 1.1 runs poststart at create
	[ "$(tr '\n' ' ' <"$HOOKS/order")" = "prestart createRuntime createContainer startContainer poststart poststop " ]
	check_hook poststart running stopped
}

@test "run: poststart runs once the user's program runs" {
	husk_only "run poststart hooks after the exec (runc 1.1 runs them at create)"
	set_args sh -c 'sleep 1; true'
	# The hook looks at the container's pid (from the state on its stdin):
	# it must already be the user's program, not the runtime's init.
	cat >"$TEST_DIR/check-program.sh" <<-EOF
		#!/bin/sh
		state=\$(cat)
		echo "\$state" >"$HOOKS/poststart.state"
		pid=\$(echo "\$state" | jq -r .pid)
		tr '\\0' ' ' </proc/\$pid/cmdline >"$HOOKS/cmdline"
	EOF
	chmod 755 "$TEST_DIR/check-program.sh"
	update_config '.hooks.poststart = [{"path": $p}]' --arg p "$TEST_DIR/check-program.sh"
	runtime run --bundle "$BUNDLE" "$ID"
	[ "$status" -eq 0 ]
	[ -s "$HOOKS/poststart.state" ]
	[ "$(cat "$HOOKS/cmdline")" = "sh -c sleep 1; true " ]
}

@test "a failing createRuntime hook fails create and leaves nothing behind" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "echo husk-test-hook-failed >&2; exit 7"]}]'
	set_args sleep 4244
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	runtime state "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
	! pgrep -f "sleep 4244" || false
	runtime list -q
	[[ "$output" != *"$ID"* ]]
}

@test "a failing prestart hook fails create and leaves nothing behind" {
	update_config '.hooks.prestart = [{"path": "/bin/false", "args": ["false"]}]'
	set_args sleep 4244
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
	! pgrep -f "sleep 4244" || false
}

@test "a failing createContainer hook fails create and leaves nothing behind" {
	update_config '.hooks.createContainer = [{"path": "/bin/false", "args": ["false"]}]'
	set_args sleep 4244
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
	! pgrep -f "sleep 4244" || false
}

@test "a hook that does not exist fails create" {
	update_config '.hooks.createRuntime = [{"path": "/no/such/husk-test-hook"}]'
	set_args sleep 4244
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	assert_no_trace "$ID"
}

@test "poststop runs on delete; a failing poststop hook does not fail delete" {
	add_hook poststop poststop "$HOOKS" "$TEST_DIR/hook.sh"
	update_config '.hooks.poststop += [{"path": "/bin/false", "args": ["false"]}]'
	set_args sleep 4242
	start_detached
	[ ! -e "$HOOKS/poststop.state" ]
	runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	check_hook poststop stopped
	assert_no_trace "$ID"
}

@test "a failing poststart or poststop hook is a warning: the hooks after it still run" {
	husk_only "run the remaining poststart and poststop hooks after one fails (runc 1.1 stops, and fails create on poststart)"
	update_config '.hooks.poststart = [{"path": "/bin/false", "args": ["false"]}]
		| .hooks.poststop = [{"path": "/bin/false", "args": ["false"]}]'
	add_hook poststart poststart "$HOOKS" "$TEST_DIR/hook.sh"
	add_hook poststop poststop "$HOOKS" "$TEST_DIR/hook.sh"
	set_args sleep 4248
	start_detached
	wait_for test -s "$HOOKS/poststart.state"
	check_hook poststart running
	runtime delete --force "$ID"
	[ "$status" -eq 0 ]
	check_hook poststop stopped
	assert_no_trace "$ID"
}

@test "a hook that outlives its timeout fails create and is killed" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "exec sleep 4247"], "timeout": 1}]'
	set_args sleep 4244
	local start=$SECONDS
	runtime create --bundle "$BUNDLE" "$ID"
	[ "$status" -ne 0 ]
	[ $((SECONDS - start)) -lt 10 ]
	assert_no_trace "$ID"
	wait_for eval '! pgrep -f "sleep 4247" >/dev/null'
	! pgrep -f "sleep 4244" || false
}
