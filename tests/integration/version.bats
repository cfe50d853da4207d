#!/usr/bin/env bats
# --version and help.

load helpers

@test "--version prints name, commit and spec lines" {
	runtime --version
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^[a-z][a-z0-9-]*\ version\ [0-9]+\.[0-9]+ ]]
	grep -Eq '^commit: .+' <<<"$output"
	grep -Eq '^spec: 1\.[0-9]+' <<<"$output"
}

@test "-v is --version" {
	runtime -v
	[ "$status" -eq 0 ]
	local short=$output
	runtime --version
	[ "$short" = "$output" ]
}

@test "--version names the binary" {
	runtime --version
	[[ "${lines[0]}" == "${RUNTIME_NAME%%-[0-9]*} version "* ]] || [[ "${lines[0]}" == "runc version "* ]]
}

@test "--help lists runc's commands" {
	runtime --help
	[ "$status" -eq 0 ]
	for c in create start state kill delete run exec list ps pause resume update events spec features; do
		grep -Eq "^ +$c( |,)" <<<"$output" || {
			echo "command $c not in --help" >&2
			false
		}
	done
}

@test "an unknown command fails" {
	runtime husk-test-no-such-command
	[ "$status" -ne 0 ]
}
