#!/usr/bin/env bash
# Checks simk's build dependencies; as root, installs what is missing.
#   scripts/deps.sh          install missing packages (root) or print the apt-get line
#   scripts/deps.sh --check  only report; exit 1 when something is missing
set -euo pipefail
PKGS=(build-essential clang libcriterion-dev libfiu-dev fiu-utils python3-pytest python3-jsonschema libaio-dev libclang-rt-14-dev)
missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
	exit 0
fi
line="apt-get update && apt-get install -y ${missing[*]}"
if [[ "${1:-}" == "--check" ]]; then
	echo "simk: missing packages: ${missing[*]}" >&2
	echo "simk: install them with: $line" >&2
	exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
	echo "simk: missing packages: ${missing[*]}" >&2
	echo "simk: run as root: $line" >&2
	exit 1
fi
echo "simk: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
