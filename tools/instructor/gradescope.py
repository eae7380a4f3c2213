#!/usr/bin/env python3
"""gradescope.py LAB OUT.zip [--hidden DIR] — Gradescope's autograder bundle (make gradescope LAB=NN).

The zip holds what Gradescope's documentation asks for, at its top level:
  setup.sh         installs the Debian packages (tools/setup.sh) and builds the
                   kit once, so each submission compiles only its own files;
  run_autograder   grades /autograder/submission over a pristine copy of the
                   kit and writes /autograder/results/results.json;
  kettle/          this kit, solutions and hidden tests included (students never
                   see the autograder's source).
Hidden tests come from tests/NN-topic/hidden/ and from --hidden DIR; results.json
marks them hidden. Set GRADESCOPE_ROOT to run the bundle somewhere other than
/autograder (make check does, in a temporary folder).
"""
import argparse
import os
import shutil
import stat
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kit  # noqa: E402

SETUP = """#!/bin/sh
# Gradescope runs this once, as root, when it builds the autograder's image.
set -eu
ROOT=${GRADESCOPE_ROOT:-/autograder}
cd "$ROOT/source/kettle"
sh tools/setup.sh
python3 tools/instructor/run_autograder.py --lab %(lab)s --prepare
"""

RUN = """#!/bin/sh
# Gradescope runs this for every submission (files in /autograder/submission).
ROOT=${GRADESCOPE_ROOT:-/autograder}
exec python3 "$ROOT/source/kettle/tools/instructor/run_autograder.py" --lab %(lab)s
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("lab")
    ap.add_argument("out")
    ap.add_argument("--hidden", default=None)
    args = ap.parse_args()
    full = kit.root()
    try:
        lab = kit.resolve_lab(full, args.lab)
    except kit.KitError as e:
        sys.exit("gradescope: %s" % e)
    tmp = tempfile.mkdtemp(prefix="kettle-gradescope-")
    try:
        src = os.path.join(tmp, "kettle")
        kit.copy_kit(full, src)
        hidden_dst = os.path.join(src, "tests", lab, "hidden")
        own_hidden = os.path.join(full, "tests", lab, "hidden")
        for d in (own_hidden, args.hidden):
            if d and os.path.isdir(d):
                os.makedirs(hidden_dst, exist_ok=True)
                for n in os.listdir(d):
                    if n.startswith("test_") and n.endswith(".c"):
                        shutil.copy(os.path.join(d, n), hidden_dst)
        for name, text in (("setup.sh", SETUP), ("run_autograder", RUN)):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.write(text % {"lab": lab[:2]})
            os.chmod(path, 0o755)
        out = os.path.abspath(args.out)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for d, _, names in os.walk(tmp):
                for n in names:
                    full_path = os.path.join(d, n)
                    rel = os.path.relpath(full_path, tmp)
                    info = zipfile.ZipInfo.from_file(full_path, rel)
                    info.external_attr = (stat.S_IFREG | os.stat(full_path).st_mode & 0o777) << 16
                    with open(full_path, "rb") as f:
                        zf.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
        hidden_n = len(os.listdir(hidden_dst)) if os.path.isdir(hidden_dst) else 0
        print("gradescope: %s — lab %s, %d hidden test file(s); upload it as the autograder" % (out, lab, hidden_n))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
