#!/usr/bin/env bash
# The README's first command: builds cairn, creates a throw-away repository, adds a file and a
# directory, reads both back, checks them byte for byte, exports and re-imports a CAR, and
# verifies the repository. Everything happens under a temporary directory that is removed after.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build -c release --product cairn >&2
CAIRN="$(swift build -c release --show-bin-path)/cairn"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export CAIRN_PATH="$WORK/repo"

step() { printf '\n$ %s\n' "$*"; "$@"; }

step "$CAIRN" init
head -c 3000000 /dev/urandom > "$WORK/photo.bin"
mkdir -p "$WORK/album/2026" && printf 'hello world\n' > "$WORK/album/hello.txt"
printf 'Grüße aus Zürich\n' > "$WORK/album/2026/grüße.txt"
cp "$WORK/photo.bin" "$WORK/album/2026/photo.bin"

FILE_CID=$("$CAIRN" add -Q "$WORK/photo.bin")
echo "file CID: $FILE_CID"
step "$CAIRN" add -r "$WORK/album"
DIR_CID=$("$CAIRN" add -r -Q "$WORK/album")

step "$CAIRN" ls "$DIR_CID"
step "$CAIRN" cat "$DIR_CID/hello.txt"
step "$CAIRN" get "$FILE_CID" -o "$WORK/photo.copy"
cmp "$WORK/photo.bin" "$WORK/photo.copy" && echo "photo.bin read back byte-identical"
step "$CAIRN" get "$DIR_CID" -o "$WORK/album.copy"
diff -r "$WORK/album" "$WORK/album.copy" && echo "album/ read back identical"

"$CAIRN" dag export "$DIR_CID" > "$WORK/album.car"
echo "exported album as a CAR of $(wc -c < "$WORK/album.car") bytes"
CAIRN_PATH="$WORK/repo2" "$CAIRN" init >/dev/null
CAIRN_PATH="$WORK/repo2" step "$CAIRN" dag import "$WORK/album.car"
CAIRN_PATH="$WORK/repo2" "$CAIRN" cat "$DIR_CID/2026/grüße.txt"

step "$CAIRN" repo verify
step "$CAIRN" repo stat
echo
echo "demo complete: the same CIDs come out of 'ipfs add' for the same files."
