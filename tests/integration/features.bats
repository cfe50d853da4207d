#!/usr/bin/env bats
# features: what the runtime reports it supports.

load helpers

# version_ge A B: dotted version A >= B (a "-suffix" is ignored).
version_ge() {
	[ "$(printf '%s\n%s\n' "${1%%-*}" "${2%%-*}" | sort -V | head -1)" = "${2%%-*}" ]
}

@test "features prints valid JSON with OCI versions" {
	runtime features
	[ "$status" -eq 0 ]
	jq -e . <<<"$output" >/dev/null
	jq -e '.ociVersionMin and .ociVersionMax' <<<"$output"
	version_ge "$(jq -r .ociVersionMax <<<"$output")" "$(jq -r .ociVersionMin <<<"$output")"
}

@test "features: ociVersionMax is at least 1.2.0" {
	husk_only "support runtime-spec 1.2 (runc 1.1 reports 1.0.2-dev)"
	runtime features
	[ "$status" -eq 0 ]
	version_ge "$(jq -r .ociVersionMax <<<"$output")" 1.2.0
}

@test "features lists every hook and common mount options" {
	runtime features
	[ "$status" -eq 0 ]
	for h in prestart createRuntime createContainer startContainer poststart poststop; do
		jq -e --arg h "$h" '.hooks | index($h) != null' <<<"$output" >/dev/null || {
			echo "hook $h missing" >&2
			false
		}
	done
	for o in ro rw bind rbind nosuid nodev noexec private rslave shared; do
		jq -e --arg o "$o" '.mountOptions | index($o) != null' <<<"$output" >/dev/null || {
			echo "mount option $o missing" >&2
			false
		}
	done
}

@test "features lists the namespaces" {
	runtime features
	[ "$status" -eq 0 ]
	for ns in cgroup ipc mount network pid user uts; do
		jq -e --arg n "$ns" '.linux.namespaces | index($n) != null' <<<"$output" >/dev/null || {
			echo "namespace $ns missing" >&2
			false
		}
	done
}

@test "features lists all 8 namespaces, time included" {
	husk_only "support time namespaces (runc 1.1 lists 7)"
	runtime features
	[ "$status" -eq 0 ]
	[ "$(jq '.linux.namespaces | length' <<<"$output")" -eq 8 ]
	jq -e '.linux.namespaces | index("time") != null' <<<"$output"
}

@test "features lists capabilities, cgroup and seccomp support" {
	runtime features
	[ "$status" -eq 0 ]
	jq -e '.linux.capabilities | index("CAP_SYS_ADMIN") != null and index("CAP_NET_ADMIN") != null' <<<"$output"
	jq -e '.linux.cgroup.v1 == true and .linux.cgroup.v2 == true' <<<"$output"
	jq -e '.linux.seccomp.enabled == true' <<<"$output"
	jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") != null' <<<"$output"
}
