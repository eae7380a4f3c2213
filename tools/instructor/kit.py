"""kit.py — what the instructors' commands share: which files make up the kit,
which files a student owns in each lab, and copying submissions safely.

A student owns, in lab NN, exactly the C files of that lab: the modules
(labs/NN-topic/*.c) and the programs the lab asks for (labs/NN-topic/apps/*.c).
The list comes from the reference solution (solutions/NN-topic) when the kit
has it, else from tools/instructor/owned.txt, which `make handout` writes for
a kit whose solutions are not all released.

Submitted files are untrusted: only the owned names are ever taken, only as
regular files (no symlinks, devices or FIFOs), at most MAX_FILE bytes each,
and archives are read member by member without extracting anything else.
"""
import io
import os
import re
import shutil
import subprocess
import tarfile
import zipfile

MAX_FILE = 1 << 20          # 1 MiB: no honest lab file is near this
OWNED_TXT = os.path.join("tools", "instructor", "owned.txt")


class KitError(Exception):
    pass


def root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lab_dirs(kit):
    """The labs of a kit, as directory names (NN-topic), sorted."""
    names = set()
    for part in ("labs", "solutions"):
        d = os.path.join(kit, part)
        if os.path.isdir(d):
            names.update(n for n in os.listdir(d) if re.fullmatch(r"\d\d-[a-z0-9-]+", n))
    return sorted(names)


def resolve_lab(kit, lab):
    """'01' or '01-callbacks' -> '01-callbacks' (a clear error otherwise)."""
    if lab is None or not re.fullmatch(r"\d\d(-[a-z0-9-]+)?", str(lab)):
        raise KitError("say which lab: LAB=NN (two digits), e.g. LAB=01")
    for name in lab_dirs(kit):
        if name == lab or name.split("-", 1)[0] == lab:
            return name
    raise KitError("there is no lab %s in this kit (labs: %s)" % (lab, " ".join(lab_dirs(kit))))


def owned_files(kit, lab):
    """Paths (relative to the kit) of the files a student owns in `lab`."""
    sol = os.path.join(kit, "solutions", lab)
    files = []
    if os.path.isdir(sol):
        for sub in ("", "apps"):
            d = os.path.join(sol, sub)
            if os.path.isdir(d):
                files += [os.path.join("labs", lab, sub, n) if sub else os.path.join("labs", lab, n)
                          for n in sorted(os.listdir(d)) if n.endswith(".c")]
        return files
    txt = os.path.join(kit, OWNED_TXT)
    if os.path.isfile(txt):
        with open(txt, encoding="utf-8") as f:
            files = [l.strip() for l in f if l.strip().startswith("labs/%s/" % lab)]
        if files:
            return files
    raise KitError("cannot tell which files lab %s owns: no solutions/%s and no %s" % (lab, lab, OWNED_TXT))


def all_owned(kit):
    return [f for lab in lab_dirs(kit) for f in owned_files(kit, lab)]


def kit_files(kit):
    """The files of the kit: what git tracks (or every file, outside git), never build/."""
    try:
        out = subprocess.run(["git", "-C", kit, "ls-files", "-z"], capture_output=True, check=True).stdout
        files = [f for f in out.decode().split("\0") if f]
        if files:
            return [f for f in files if os.path.lexists(os.path.join(kit, f))]
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(kit):
        rel = os.path.relpath(d, kit)
        dirs[:] = [x for x in dirs if not (rel == "." and x in ("build", ".git"))]
        files += [os.path.normpath(os.path.join(rel, n)) for n in names]
    return sorted(files)


def copy_kit(kit, dest, keep=lambda path: True):
    """Copy the kit's files that `keep` accepts into dest (created)."""
    os.makedirs(dest, exist_ok=True)
    for f in kit_files(kit):
        if not keep(f):
            continue
        src, dst = os.path.join(kit, f), os.path.join(dest, f)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)


def printable(s):
    """A name as it may be shown on a terminal or in a CSV: no control bytes."""
    return "".join(c if c.isprintable() else "?" for c in str(s))[:200]


class Submission:
    """Where one student's files come from: a directory or an archive.

    files() maps each owned path to its bytes, or to a reason it is missing or
    refused. A file may sit at its kit path (labs/01-callbacks/loop.c) or
    anywhere by its name alone (loop.c), as Gradescope's upload gives it."""

    def __init__(self, path):
        self.path = path
        self.entries = {}     # relative path inside the submission -> (kind, size, reader)
        if os.path.isdir(path):
            self._scan_dir()
        elif tarfile.is_tarfile(path):
            self._scan_tar()
        elif zipfile.is_zipfile(path):
            self._scan_zip()
        else:
            raise KitError("%s is neither a directory nor a .tar/.tar.gz/.zip archive" % printable(path))

    def _scan_dir(self):
        for d, dirs, names in os.walk(self.path, followlinks=False):
            for n in names:
                full = os.path.join(d, n)
                rel = os.path.relpath(full, self.path)
                st = os.lstat(full)
                regular = os.path.isfile(full) and not os.path.islink(full)
                self.entries[rel] = ("file" if regular else "not a regular file", st.st_size,
                                     lambda full=full: _read_limited(open(full, "rb")))

    def _scan_tar(self):
        tf = tarfile.open(self.path)
        for m in tf.getmembers():
            kind = "file" if m.isreg() else "not a regular file"
            self.entries[m.name] = (kind, m.size, lambda m=m, tf=tf: _read_limited(tf.extractfile(m)))

    def _scan_zip(self):
        zf = zipfile.ZipFile(self.path)
        for info in zf.infolist():
            if info.is_dir():
                continue
            mode = (info.external_attr >> 16) & 0o170000
            kind = "file" if mode in (0, 0o100000) else "not a regular file"
            self.entries[info.filename] = (kind, info.file_size,
                                           lambda info=info, zf=zf: _read_limited(zf.open(info)))

    def files(self, owned):
        result = {}
        for want in owned:
            base = os.path.basename(want)
            exact = [p for p in self.entries if os.path.normpath(p) == want]
            tail = [p for p in self.entries if os.path.normpath(p).endswith("/" + want)]
            by_name = [p for p in self.entries if os.path.basename(p) == base]
            hits = exact or tail or by_name
            if not hits:
                result[want] = "missing"
                continue
            if len(hits) > 1 and not exact and not tail:
                result[want] = "refused: %d files named %s" % (len(hits), base)
                continue
            kind, size, read = self.entries[hits[0]]
            if kind != "file":
                result[want] = "refused: %s" % kind
            elif size > MAX_FILE:
                result[want] = "refused: larger than %d bytes" % MAX_FILE
            else:
                data = read()
                result[want] = data if data is not None else "refused: larger than %d bytes" % MAX_FILE
        return result


def _read_limited(f):
    with f:
        data = f.read(MAX_FILE + 1)
    return None if len(data) > MAX_FILE else data


def place(files, dest):
    """Write the accepted files into a kit copy at dest, replacing what is there."""
    notes = []
    for rel, data in files.items():
        target = os.path.join(dest, rel)
        if isinstance(data, bytes):
            if os.path.lexists(target):
                os.unlink(target)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as f:
                f.write(data)
        else:
            notes.append("%s: %s" % (rel, data))
    return notes


__all__ = ["KitError", "root", "lab_dirs", "resolve_lab", "owned_files", "all_owned", "kit_files",
           "copy_kit", "printable", "Submission", "place", "io"]
