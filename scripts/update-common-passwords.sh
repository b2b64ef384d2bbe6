#!/usr/bin/env bash
# Rewrites Blog.Api/Auth/CommonPasswords/{common-passwords.txt,LICENSE.txt} from the npm package zxcvbn 4.4.2
# (see the README there). Needs npm and node.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="$root/Blog.Api/Auth/CommonPasswords"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent zxcvbn@4.4.2 >/dev/null
tar xzf zxcvbn-4.4.2.tgz
node -e '
const lists = require("./package/lib/frequency_lists.js");
require("fs").writeFileSync(process.argv[1], lists.passwords.join("\n") + "\n");
' "$target/common-passwords.txt"
cp package/LICENSE.txt "$target/LICENSE.txt"
echo "$(wc -l < "$target/common-passwords.txt") passwords written to $target"
