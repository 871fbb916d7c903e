#!/usr/bin/env python3
"""Times kubo 0.22's `add` (stored and pinned, kubo's default sync) of one file, for comparison with
`cairn-bench`. kubo only runs in a loopback-only namespace, so run it through kubo-peer's sandbox:

    ../shared/tools/kubo-peer sandbox -- python3 scripts/kubo-add-timing.py FILE [REPO_DIR]

REPO_DIR must not exist yet (default: a new directory under /tmp). Prints the CID, seconds and MB/s.
"""
import json, os, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
KUBO_PEER = os.environ.get("KUBO_PEER", os.path.join(HERE, "..", "..", "shared", "tools", "kubo-peer"))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    path = os.path.abspath(sys.argv[1])
    repo = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="kubo-add-") + "/repo"
    peer = subprocess.Popen([KUBO_PEER, "serve", "--repo", repo, "--port", "4555"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = json.loads(peer.stdout.readline())
    assert ready.get("event") == "ready", ready
    start = time.monotonic()
    peer.stdin.write(json.dumps({"cmd": "add", "path": path}) + "\n")
    peer.stdin.flush()
    answer = json.loads(peer.stdout.readline())
    seconds = time.monotonic() - start
    peer.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
    peer.stdin.flush()
    peer.wait(timeout=60)
    size = os.path.getsize(path)
    print(f"kubo add {answer.get('cid')} {seconds:.2f} s {size / seconds / 1e6:.1f} MB/s")


if __name__ == "__main__":
    main()
