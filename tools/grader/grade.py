#!/usr/bin/env python3
"""grade.py — build what a grading needs and run kt-grade: the one entry point.

    grade.py grade [--mode student|mine|solutions|starters|patched] [--labs "01 02"] [--cc CC]
                   [--werror] [--fastswitch] [--copystack] [--tsan] [--expect pass|fail]
                   [--verbose] [--brief] [--hidden DIR] [--jobs N] [--mylabs "01"]
                   [--graded-root DIR] [--gdir DIR] [--only "test_a test_b"] [--kt-flags "..."]
    grade.py apps  [--mode ...] [--labs 05] [--app NAME] [--run ARG...]
    grade.py manifests [--check]

Grading a submission is: copy the student's labs/ over a pristine kit, then
`make test` (which runs `grade.py grade`). Nothing under labs/ is trusted:

  * which files a lab owns comes from the kit (tests/NN-topic/lab.manifest,
    generated from solutions/ by `make manifests`); only those are read, only
    if they are regular files with plain names, and they are copied into
    build/stage/ before anything compiles them; everything else under labs/
    is ignored and reported;
  * no name or byte from labs/ is given to make or a shell: this program runs
    the compiler with argument lists, under a time and memory limit, and every
    text it shows (compiler messages, file names) is escaped;
  * each student object is checked before anything runs (check_object): no
    constructor or destructor sections, no raw system-call instructions,
    defined symbols within the lab's interface, undefined symbols within the
    C library (less a deny list) and the kit, no #include outside the kit's
    headers and the system's;
  * the test list comes from a listing binary linked from the pristine test
    and harness with stubs instead of any lab code.

Hidden tests: extra test sources in tests/NN-topic/hidden/test_*.c or in
DIR/NN-topic/test_*.c (--hidden DIR, make test HIDDEN=DIR) are built and run
like the others and marked hidden in results.json.
"""
import argparse
import concurrent.futures
import hashlib
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import threading

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WARN = ["-Wall", "-Wextra", "-Wshadow", "-Wstrict-prototypes", "-Wmissing-prototypes",
        "-Wno-missing-field-initializers"]
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=undefined", "-fno-omit-frame-pointer"]
MAX_SOURCE = 1 << 20           # bytes of one student file
COMPILE_SECONDS = 120          # wall time of one compiler run
COMPILE_MEMORY = 4 << 30       # address space of one compiler run
PLAIN_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
LAB_ID = re.compile(r"^[0-9][0-9]-[a-z0-9-]+$")
CTOR_SECTION = re.compile(r"^\.(init_array|fini_array|preinit_array|ctors|dtors|init|fini)(\..*)?$")
RAW_SYSCALL = re.compile(r"\t(syscall|sysenter|int\s+\$0x80)\b")
# Never from student code, whatever the C library offers, unless the lab's
# own solution needs it (then the manifest lists it under "uses").
DENIED = re.compile(r"^(syscall|dl(open|sym|vsym|mopen|info|addr.*|error|close)|ptrace|process_vm_.*|prctl|"
                    r"setrlimit.*|prlimit.*|mprotect|pkey_.*|personality|exec(ve|v|vp|vpe|l|lp|le|veat)|"
                    r"fexecve|system|popen|posix_spawn.*|setenv|putenv|unsetenv|clearenv|unshare|setns|"
                    r"mount|umount.*|chroot|pivot_root|__libc_.*|_dl_.*|__cxa_atexit|__cxa_thread_atexit.*|"
                    r"atexit|on_exit|at_quick_exit)$")
ALWAYS_ALLOWED = {"_GLOBAL_OFFSET_TABLE_", "__stack_chk_fail", "__stack_chk_guard"}
TSAN = [False]  # make grade TSAN=1: ThreadSanitizer instead of ASan+UBSan (Lab 08's variant)
# make grade COPYSTACK=1: generators on copied stacks (kettle/copystack.h; the bench build's
# setting): lib's gen.h replaces Lab 03's gen.c, whose own stack tests are swapped for
# tests/NN-topic/copystack/test_*.c.
COPYSTACK = [False]
COPYSTACK_OUT = {("03-generators", "gen.c"), ("03-generators", "test_gen_stack.c")}


def san_flags():
    return ["-fsanitize=thread", "-fno-omit-frame-pointer"] if TSAN[0] else SAN


# ---------------------------------------------------------------- text that came from outside
def esc(text):
    """Any text or bytes, safe for a terminal and a report: printable, \\xNN for the rest."""
    if isinstance(text, str):
        text = text.encode("utf-8", "surrogateescape")
    out = []
    for ch in text.decode("utf-8", "backslashreplace"):
        if ch in "\n\t" or (ch.isprintable() and ch != "\x1b"):
            out.append(ch)
        else:
            out.append("\\x%02x" % ord(ch) if ord(ch) < 256 else "\\u%04x" % ord(ch))
    return "".join(out)


def tmp(path):
    """A scratch name beside path that no other grading writes at the same
    time (tools/bugs.py runs several): written there, then renamed into place."""
    return "%s.tmp%d-%d" % (path, os.getpid(), threading.get_ident())


def write_atomic(path, data):
    t = tmp(path)
    with open(t, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.replace(t, path)


def say(*parts):
    print(esc(" ".join(str(p) for p in parts)), flush=True)


# ---------------------------------------------------------------- running tools
def _limits():
    os.setsid()
    resource.setrlimit(resource.RLIMIT_AS, (COMPILE_MEMORY, COMPILE_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (COMPILE_SECONDS, COMPILE_SECONDS + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 << 20, 256 << 20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(cmd, cwd=None, limited=False):
    """Run argv (never a shell); return (status, output text)."""
    p = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, preexec_fn=_limits if limited else None)
    try:
        out, _ = p.communicate(timeout=COMPILE_SECONDS if limited else None)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, _ = p.communicate()
        return 124, out.decode("utf-8", "replace") + "\n(stopped after %d s)" % COMPILE_SECONDS
    return p.returncode, out.decode("utf-8", "replace")


def first_error(output, limit=12):
    """The compiler's first error with its file:line, and a few lines after it."""
    lines = output.splitlines()
    for i, l in enumerate(lines):
        if re.search(r"(error|Error|fatal error):", l) or "undefined reference" in l:
            start = i
            while start > 0 and re.search(r"(In function|In file included|: note:)", lines[start - 1]):
                start -= 1
            return "\n".join(lines[start:start + limit])
    return "\n".join(lines[:limit])


# ---------------------------------------------------------------- the kit
def lab_ids():
    t = os.path.join(ROOT, "tests")
    return sorted(d for d in os.listdir(t) if LAB_ID.match(d) and os.path.isdir(os.path.join(t, d)))


def select_labs(ids, wanted):
    if not wanted:
        return list(ids)
    out = []
    for w in wanted.split():
        out += [i for i in ids if (i == w or i.startswith(w + "-")) and i not in out]
    return out


class Manifest:
    def __init__(self, lab):
        self.lab, self.title, self.files, self.apps, self.api, self.uses = lab, "", [], [], set(), set()

    def parse(self, text):
        for line in text.splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            key, _, val = line.partition(" ")
            if key == "title":
                self.title = val
            elif key == "file":
                self.files.append(val)
            elif key == "app":
                self.apps.append(val)
            elif key == "api":
                self.api.add(val)
            elif key == "uses":
                self.uses.add(val)
        return self

    def text(self):
        lines = ["# lab.manifest — generated from solutions/%s by `make manifests`; `make check` keeps it" % self.lab,
                 "# current. What the grader takes from labs/%s (file), the given demos (app)," % self.lab,
                 "# the symbols the lab's files may define (api), and what they may use beyond the",
                 "# C library's ordinary functions (uses; see tools/grader/grade.py)."]
        lines.append("title " + self.title)
        lines += ["file " + f for f in self.files] + ["app " + a for a in self.apps]
        lines += ["api " + s for s in sorted(self.api)] + ["uses " + s for s in sorted(self.uses)]
        return "\n".join(lines) + "\n"


def manifest_path(lab):
    return os.path.join(ROOT, "tests", lab, "lab.manifest")


def extra_allow(lab):
    """tests/NN-topic/allow: symbols beyond the solution's a student may use (one a line)."""
    p = os.path.join(ROOT, "tests", lab, "allow")
    if not os.path.exists(p):
        return set()
    return {l.split("#")[0].strip() for l in open(p, encoding="utf-8")} - {""}


# ---------------------------------------------------------------- building
class Builder:
    def __init__(self, args):
        self.a = args
        self.cc = args.cc
        self.ccname = os.path.basename(self.cc.split()[0])
        self.build = os.path.join(ROOT, args.build)
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
        self.verbose = args.verbose
        self._stamp = None
        self._libc = None
        self.flavor = "tsan" if TSAN[0] else "asan"

    def flags(self, fast=False, srcroot=ROOT):
        # Paths relative to where the compiler runs, so that a copy of the
        # build directory (tools/instructor) stays valid in a copy of the kit.
        at = lambda rel: os.path.relpath(os.path.join(ROOT, rel), srcroot)
        inc = ["-I" + at("lib/include")]
        sw = []
        if self.a.fastswitch:
            sw = ["-DKETTLE_FAST_SWITCH", "-include", at("lib/include/kettle/fastctx.h")]
        if COPYSTACK[0]:
            sw += ["-DKETTLE_COPY_STACK", "-DKETTLE_FREELIST"]
        werr = ["-Werror"] if self.a.werror else []
        if fast:
            return ["-std=c11", "-g", "-O2", "-DNDEBUG"] + WARN + werr + inc
        return ["-std=c11", "-g", "-O1"] + WARN + werr + san_flags() + inc + ["-I" + at("tests/harness")] + sw

    def header_stamp(self):
        """What every compile depends on besides its own source: the kit's headers."""
        if self._stamp is None:
            h = hashlib.sha256()
            for d in ("lib/include/kettle", "tests/harness") + tuple("tests/" + l for l in lab_ids()):
                full = os.path.join(ROOT, d)
                for n in sorted(os.listdir(full)) if os.path.isdir(full) else []:
                    if n.endswith(".h"):
                        with open(os.path.join(full, n), "rb") as f:
                            h.update(("%s/%s\n" % (d, n)).encode() + hashlib.sha256(f.read()).digest())
            self._stamp = h.hexdigest()
        return self._stamp

    def compile(self, rel, content, flavor, check=False, cwd=None):
        """Compile one source (its kit-relative name and bytes). Returns a dict:
        ok, obj, check (the object to inspect), deps, output."""
        srcroot = cwd or ROOT
        flags = self.flags(fast=flavor == "fast", srcroot=srcroot)
        where = os.path.relpath(srcroot, ROOT) if (srcroot + "/").startswith(ROOT + "/") else srcroot
        key = hashlib.sha256(repr((self.cc, flags, os.path.relpath(rel, srcroot) if os.path.isabs(rel) else rel,
                                   check, where, self.header_stamp())).encode() + content).hexdigest()[:24]
        odir = os.path.join(self.build, "obj", "%s-%s" % (self.ccname, flavor), key[:2])
        obj = os.path.join(odir, key + ".o")
        res = {"ok": True, "obj": obj, "check": obj[:-2] + ".chk.o", "deps": [], "output": ""}
        done = obj + ".done"
        if os.path.exists(done):
            with open(done, encoding="utf-8") as f:
                res["deps"] = f.read().split("\n")
            return res
        os.makedirs(odir, exist_ok=True)
        # The source compiles where its kit-relative name is its path, so
        # messages and stack traces name labs/01-callbacks/loop.c.
        ccv = self.cc.split()
        base = ccv + flags + ["-fdebug-prefix-map=%s=." % srcroot]
        if self.verbose:
            say(" ".join(base + ["-c", rel, "-o", obj]))
        else:
            say("  CC   " + rel)
        out_all = ""
        t = tmp(obj)
        if check:
            pre = t + ".i"
            dep = t + ".d"
            st, out = run(base + ["-E", "-MD", "-MF", dep, rel, "-o", pre], cwd=srcroot, limited=True)
            if st != 0:
                return dict(res, ok=False, output=out)
            res["deps"] = parse_deps(dep)
            os.unlink(dep)
        st, out = run(base + ["-c", rel, "-o", t], cwd=srcroot, limited=True)
        out_all += out
        if st != 0:
            return dict(res, ok=False, output=out_all)
        if check:
            # The object to inspect: the very text that compiled, without the
            # sanitizers' own constructors and calls.
            st, out = run(ccv + ["-c", "-w", "-O1", "-fno-sanitize=all", pre, "-o", t + ".chk"], limited=True)
            os.unlink(pre)
            if st != 0:
                return dict(res, ok=False, output=out)
            os.replace(t + ".chk", res["check"])
        os.replace(t, obj)
        write_atomic(done, "\n".join(res["deps"]))
        res["output"] = out_all
        return res

    def libc_symbols(self):
        if self._libc is None:
            syms = set()
            for lib in ("libc.so.6", "libm.so.6"):
                st, path = run(self.cc.split() + ["-print-file-name=" + lib])
                st, out = run(["nm", "-D", "--defined-only", os.path.realpath(path.strip())])
                for line in out.splitlines():
                    parts = line.split()
                    if len(parts) >= 3:
                        syms.add(parts[2].split("@")[0])
            self._libc = syms
        return self._libc


def parse_deps(dep):
    """The files a compile read, as the compiler named them (relative to where it ran)."""
    try:
        text = open(dep, encoding="utf-8", errors="replace").read()
    except OSError:
        return []
    text = text.replace("\\\n", " ")
    _, _, rest = text.partition(":")
    names = re.split(r"(?<!\\)\s+", rest.split("\n")[0].strip())
    return [n.replace("\\ ", " ") for n in names if n]


def nm_symbols(obj):
    """(defined, undefined) symbols of an object. Objects under build/obj are
    named by their content, so nm's answer is kept beside them."""
    keep = obj + ".nm" if os.sep + "obj" + os.sep in obj else None
    out = None
    if keep and os.path.exists(keep):
        out = open(keep, encoding="utf-8").read()
    if out is None:
        st, out = run(["nm", "-P", obj])
        if keep and st == 0:
            write_atomic(keep, out)
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind in ("U", "w", "v"):
            undefined.add(name)
        elif kind.isupper() or kind in ("i", "u"):
            defined.add(name)
    return defined, undefined


def check_object(b, res, shown, lab, allowed_kit, manifest, stage, srcroot):
    """Why this object may not run, or [] — the lab's rules on what its files may hold."""
    why = []
    n = lab[:2]
    for d in res["deps"]:
        real = os.path.realpath(os.path.join(srcroot, d))
        ok = real.startswith(os.path.join(stage, "")) or real.startswith(os.path.join(ROOT, "lib", "include", "")) \
            or (real.startswith("/usr/") and not real.startswith(ROOT))
        if not ok:
            why.append("%s includes %s, which is neither a header of the kit (lib/include) nor of the system"
                       % (shown, os.path.relpath(real, ROOT) if real.startswith(ROOT) else real))
    st, out = run(["readelf", "-SW", res["check"]])
    for m in re.finditer(r"\]\s+(\S+)", out):
        if CTOR_SECTION.match(m.group(1)):
            why.append("%s defines a constructor or destructor (section %s): lab %s may not run code before "
                       "or after the tests" % (shown, m.group(1), n))
            break
    st, out = run(["objdump", "-d", "--no-show-raw-insn", res["check"]])
    m = RAW_SYSCALL.search(out)
    if m:
        why.append("%s contains a raw system call instruction (%s): call the C library instead" % (shown, m.group(1)))
    defined, undefined = nm_symbols(res["check"])
    for s in sorted(defined - manifest.api):
        why.append("%s defines `%s`, which is not part of lab %s's interface (a helper of your own must be "
                   "`static`)" % (shown, s, n))
    extra = manifest.uses | extra_allow(lab)
    for s in sorted(undefined):
        if s in extra or s in ALWAYS_ALLOWED or s in allowed_kit:
            continue
        if DENIED.match(s):
            why.append("%s calls `%s`, which lab %s may not use" % (shown, s, n))
        elif s not in b.libc_symbols():
            why.append("%s uses `%s`, which is neither the C library's nor the kit's (lib/include): "
                       "lab %s may not use it" % (shown, s, n))
    return why


# ---------------------------------------------------------------- reading labs/ safely
INCLUDE = re.compile(rb"^[ \t]*#[ \t]*(include|include_next|import)\b[ \t]*(.*)$", re.M)
HAS_INCLUDE = re.compile(rb"__has_include(_next)?\s*\(\s*[<\"]([^>\"]*)")
RISKY = [(re.compile(rb"#[ \t]*pragma[ \t]+GCC[ \t]+(system_header|dependency|poison)"), "a #pragma GCC directive"),
         (re.compile(rb"\bincbin\b"), "an .incbin directive"),
         (re.compile(rb"#[ \t]*embed\b"), "#embed")]


def source_problems(shown, data):
    """What a student file may not do before the compiler even opens a header:
    name a file outside the kit's and the system's include directories (a
    path with .. or a leading /, or a computed #include)."""
    why = []
    for m in INCLUDE.finditer(data):
        arg = m.group(2).strip()
        target = re.match(rb"^[<\"]([^>\"]*)[>\"]", arg)
        if target is None:
            why.append("%s has an #include that is not a plain \"file.h\" or <file.h>" % shown)
        elif target.group(1).startswith(b"/") or b".." in target.group(1).split(b"/"):
            why.append("%s includes %s: only the kit's and the system's headers may be included" %
                       (shown, esc(target.group(1))))
    for m in HAS_INCLUDE.finditer(data):
        if m.group(2).startswith(b"/") or b".." in m.group(2).split(b"/"):
            why.append("%s probes %s with __has_include" % (shown, esc(m.group(2))))
    for rx, what in RISKY:
        if rx.search(data):
            why.append("%s uses %s" % (shown, what))
    return why


def stage_file(root_rel, lab, name, stage_root):
    """Copy ROOT/root_rel/lab/name into stage_root/root_rel/lab/name, refusing
    anything but a regular file reached through real directories."""
    parts = [root_rel, lab] + name.split("/")
    fd = os.open(ROOT, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for comp in [p for p in "/".join(parts[:-1]).split("/") if p]:
            try:
                nfd = os.open(comp, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError:
                return None, "%s/%s is missing (or is not a plain directory)" % (root_rel, lab)
            os.close(fd)
            fd = nfd
        try:
            ffd = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=fd)
        except OSError as e:
            kind = "is a symbolic link" if e.errno == 40 else "is missing"
            return None, "%s %s" % ("/".join(parts), kind)
        try:
            st = os.fstat(ffd)
            if not stat.S_ISREG(st.st_mode):
                return None, "%s is not a regular file" % "/".join(parts)
            if st.st_size > MAX_SOURCE:
                return None, "%s is larger than %d bytes" % ("/".join(parts), MAX_SOURCE)
            data = os.read(ffd, MAX_SOURCE + 1)
        finally:
            os.close(ffd)
    finally:
        os.close(fd)
    dest = os.path.join(stage_root, *parts)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    write_atomic(dest, data)
    return data, None


def ignored_entries(manifests):
    """Everything under labs/ that no lab owns: not compiled, reported."""
    out = []
    top = os.path.join(ROOT, "labs")
    try:
        entries = sorted(os.listdir(top))
    except OSError:
        return out
    for e in entries:
        p = os.path.join(top, e)
        m = manifests.get(e)
        if m is None or not stat.S_ISDIR(os.lstat(p).st_mode):
            out.append("labs/" + e)
            continue
        owned = set(m.files) | set(m.apps) | {"README.md"}
        for dirpath, dirs, files in os.walk(p):
            for n in dirs + files:
                rel = os.path.relpath(os.path.join(dirpath, n), p)
                if rel in owned or (rel == "apps" and m.apps and n in dirs
                                    and not os.path.islink(os.path.join(dirpath, n))):
                    continue
                out.append("labs/%s/%s" % (e, rel))
            dirs[:] = [d for d in dirs if os.path.relpath(os.path.join(dirpath, d), p) == "apps"
                       and not os.path.islink(os.path.join(dirpath, d))]
    return out


# ---------------------------------------------------------------- modes
MYLABS = set()  # make test MYLAB=01: these labs from labs/ even when another lab is graded
GRADED_ROOT = [""]  # --mode patched: the graded lab comes from here (tools/bugs.py's patched copy)


def source_root(mode, lab, graded):
    sol = os.path.isdir(os.path.join(ROOT, "solutions", lab))
    if mode == "student" and MYLABS:  # exactly those from labs/, the rest from solutions/
        return "labs" if lab[:2] in MYLABS or not sol else "solutions"
    if mode == "solutions":  # in a handout, an unreleased lab has only labs/
        return "solutions" if sol else "labs"
    if mode == "mine":
        return "labs"
    if mode == "patched":
        if lab == graded:
            return GRADED_ROOT[0]
        return "solutions" if sol else "labs"
    if mode == "starters":
        if lab == graded:
            return os.path.relpath(os.path.join(ROOT, "build", "starters"), ROOT)
        return "solutions" if sol else "labs"
    return "labs" if lab == graded or not sol else "solutions"


class Kit:
    """The labs, their manifests, and the objects of their modules built from some root."""

    def __init__(self, b, mode):
        self.b, self.mode = b, mode
        self.ids = lab_ids()
        self.stage = os.path.join(b.build, "stage")
        self.manifests = {}
        for lab in self.ids:
            p = manifest_path(lab)
            if os.path.exists(p):
                self.manifests[lab] = Manifest(lab).parse(open(p, encoding="utf-8").read())
            elif os.path.isdir(os.path.join(ROOT, "solutions", lab)):
                say("grade: tests/%s/lab.manifest is missing; deriving it from solutions/ (run make manifests)" % lab)
                self.manifests[lab] = derive_manifest(b, lab)
            else:
                self.manifests[lab] = Manifest(lab)
        self.modules = {}
        self._kit_syms = None

    def kit_symbols(self, lib_objs):
        if self._kit_syms is None:
            syms = set()
            for m in self.manifests.values():
                syms |= m.api
            for o in lib_objs:
                syms |= nm_symbols(o)[0]
            self._kit_syms = syms
        return self._kit_syms

    def module(self, root, lab, lib_objs):
        """Stage, compile and check lab's files from root: (objects, error text or None)."""
        key = (root, lab)
        if key not in self.modules:
            self.modules[key] = self.pool_module(root, lab, lib_objs)
        return self.modules[key].result()

    def pool_module(self, root, lab, lib_objs):
        return self.b.pool.submit(self._module, root, lab, lib_objs)

    def _module(self, root, lab, lib_objs):
        m = self.manifests[lab]
        objs, why = [], []
        staged = os.path.join(self.stage, self.b.ccname, "s")
        for name in m.files:
            if not name.endswith(".c") or (COPYSTACK[0] and (lab, name) in COPYSTACK_OUT):
                continue
            shown = "%s/%s/%s" % (root, lab, name)
            data, err = stage_file(root, lab, name, staged)
            if err:
                why.append(err)
                continue
            for h in m.files:
                if h.endswith(".h"):
                    stage_file(root, lab, h, staged)
            early = source_problems(shown, data)
            if early:
                why += early
                continue
            res = self.b.compile(shown, data, self.b.flavor, check=True, cwd=staged)
            if res["output"].strip() and res["ok"]:
                say(res["output"].rstrip())
            if not res["ok"]:
                msg = first_error(res["output"])
                if "No such file" in msg:
                    msg += "\n(only the lab's own files are compiled: %s; others under labs/ are ignored)" % \
                        ", ".join(f for f in m.files)
                why.append("%s does not compile:\n%s" % (shown, msg))
                continue
            # The verdict on an object is kept beside it, for these rules.
            rules = hashlib.sha256(repr((m.text(), sorted(extra_allow(lab)), [os.path.basename(o) for o in lib_objs],
                                         root, lab, open(__file__, "rb").read())).encode()).hexdigest()[:16]
            vpath = res["obj"] + "." + rules + ".why"
            if os.path.exists(vpath):
                found = [l for l in open(vpath, encoding="utf-8").read().split("\n") if l]
            else:
                found = check_object(self.b, res, shown, lab, self.kit_symbols(lib_objs), m,
                                     os.path.join(staged, root, lab), staged)
                write_atomic(vpath, "\n".join(found))
            why += found
            objs.append(res["obj"])
        if why:
            verdict = "was rejected, so it earns nothing" if any(" does not compile:" not in w for w in why) \
                else "could not be built"
            return None, "%s/%s %s:\n%s" % (root, lab, verdict, "\n".join("  " + w for w in why))
        return objs, None


def derive_manifest(b, lab):
    m = Manifest(lab)
    sol = os.path.join(ROOT, "solutions", lab)
    readme = os.path.join(sol, "README.md")
    if os.path.exists(readme):
        first = open(readme, encoding="utf-8").readline()
        m.title = re.sub(r"^#\s*Lab\s*[0-9]*\s*[—-]*\s*", "", first).strip()
    m.files = sorted(n for n in os.listdir(sol) if n.endswith((".c", ".h")) and os.path.isfile(os.path.join(sol, n)))
    appdir = os.path.join(sol, "apps")
    if os.path.isdir(appdir):
        m.apps = sorted("apps/" + n for n in os.listdir(appdir) if n.endswith(".c"))
    starters = os.path.join(ROOT, "build", "starters")
    for root in ("solutions",) + (("build/starters",) if os.path.isdir(os.path.join(starters, lab)) else ()):
        for n in m.files:
            if not n.endswith(".c"):
                continue
            rel = "%s/%s/%s" % (root, lab, n)
            res = b.compile(rel, open(os.path.join(ROOT, rel), "rb").read(), "asan", check=True)
            if not res["ok"]:
                raise SystemExit("grade: %s does not compile:\n%s" % (rel, res["output"]))
            d, u = nm_symbols(res["check"])
            m.api |= d
            # Beyond the C library's ordinary functions and the kit's: the
            # solution's own needs (a denied call, the sanitizers' fiber API).
            m.uses |= {s for s in u if DENIED.match(s) or (s not in b.libc_symbols() and not s.startswith("kt_")
                                                              and s not in ALWAYS_ALLOWED)}
    return m


def cmd_manifests(args):
    b = Builder(args)
    subprocess.run([sys.executable, os.path.join(ROOT, "tools/starters.py"), "solutions",
                    os.path.join(ROOT, "build", "starters")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    stale = []
    for lab in lab_ids():
        if not os.path.isdir(os.path.join(ROOT, "solutions", lab)):
            continue
        text = derive_manifest(b, lab).text()
        p = manifest_path(lab)
        old = open(p, encoding="utf-8").read() if os.path.exists(p) else None
        if old == text:
            continue
        if args.check:
            stale.append(lab)
        else:
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
            say("wrote tests/%s/lab.manifest" % lab)
    if stale:
        say("grade: lab.manifest out of date for: %s (run make manifests and commit)" % " ".join(stale))
        return 1
    if args.check:
        say("manifests: up to date")
    return 0


# ---------------------------------------------------------------- grading
def chapter_order(lab, names):
    """tests/NN-topic/order (optional) lists the test programs in the order of the
    chapter's steps, one name a line (test_poller, ...); programs it does not name
    follow, sorted."""
    p = os.path.join(ROOT, "tests", lab, "order")
    listed = []
    if os.path.exists(p):
        for line in open(p, encoding="utf-8"):
            m = re.match(r"^(test_[A-Za-z0-9_]*)", line)
            if m and m.group(1) + ".c" in names and m.group(1) + ".c" not in listed:
                listed.append(m.group(1) + ".c")
    return listed + sorted(n for n in names if n not in listed)


def test_sources(lab, hidden_dir, only=()):
    """The lab's tests in the chapter's order, then its hidden ones:
    tests/NN-topic/hidden/, and with HIDDEN=DIR (one lab graded) DIR/test_*.c or
    DIR/NN-topic/test_*.c. COPYSTACK swaps in tests/NN-topic/copystack/; --only
    keeps just the programs it names (tools/bugs.py)."""
    out = []
    dirs = [(os.path.join(ROOT, "tests", lab), False)]
    if COPYSTACK[0]:
        dirs.append((os.path.join(ROOT, "tests", lab, "copystack"), False))
    dirs += [(os.path.join(ROOT, "tests", lab, "hidden"), True),
             (hidden_dir or None, True), (os.path.join(hidden_dir, lab) if hidden_dir else None, True)]
    for d, hidden in dirs:
        if d and os.path.isdir(d):
            names = [n for n in os.listdir(d) if n.startswith("test_") and n.endswith(".c") and PLAIN_NAME.match(n)
                     and not (COPYSTACK[0] and (lab, n) in COPYSTACK_OUT and d.endswith("/" + lab))]
            if only:
                names = [n for n in names if n[:-2] in only]
            out += [(os.path.join(d, n), hidden) for n in chapter_order(lab, names)]
    return out


def link(b, out, objs, extra):
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = b.cc.split() + ["-o", out + ".tmp"] + objs + extra + san_flags() + ["-lcmocka", "-lm", "-pthread"]
    # Objects are named by their content: the same list is the same binary.
    stamp = hashlib.sha256(repr(cmd).replace(ROOT, "<kit>").encode()).hexdigest()
    try:
        if open(out + ".cmd", encoding="utf-8").read() == stamp and os.path.exists(out):
            return None
    except OSError:
        pass
    if b.verbose:
        say(" ".join(cmd))
    else:
        say("  LD   " + os.path.relpath(out, ROOT))
    st, text = run(cmd, limited=True)
    if st != 0:
        return first_error(text)
    os.replace(out + ".tmp", out)
    with open(out + ".cmd", "w", encoding="utf-8") as f:
        f.write(stamp)
    return None


def pristine(b, rel):
    res = b.compile(rel, open(os.path.join(ROOT, rel), "rb").read(), b.flavor,
                    cwd=None if not os.path.isabs(rel) else os.path.dirname(rel))
    if not res["ok"]:
        say(res["output"])
        raise SystemExit("grade: the kit's own %s does not compile" % rel)
    return res["obj"]


def stubs_object(b, kit, gdir, lib_objs):
    """Every lab's interface as inert data, for the listing binaries: all but
    what lib itself defines in this build (COPYSTACK's gen functions)."""
    names = set().union(*[m.api for m in kit.manifests.values()]) if kit.manifests else set()
    for o in lib_objs:
        names -= nm_symbols(o)[0]
    names = sorted(names)
    src = "".join("char %s[16];\n" % n for n in names if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", n))
    path = os.path.join(gdir, "stubs.c")
    os.makedirs(gdir, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("/* generated: inert stand-ins for every lab's interface (listing binaries only) */\n" + src)
    obj = path[:-2] + ".o"
    st, out = run(b.cc.split() + ["-c", "-w", path, "-o", obj])
    if st != 0:
        raise SystemExit("grade: stubs: " + out)
    return obj


def cmd_grade(args):
    b = Builder(args)
    mode = args.mode
    kit = Kit(b, mode)
    sel = select_labs(kit.ids, args.labs)
    if not sel:
        say("grade: no lab matches LAB=%s (labs: %s)" % (args.labs, " ".join(kit.ids)))
        return 2
    if mode == "starters":
        subprocess.run([sys.executable, os.path.join(ROOT, "tools/starters.py"), "solutions",
                        os.path.join(ROOT, "build", "starters")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    gdir = os.path.abspath(args.gdir) if args.gdir else os.path.join(
        b.build, "grade", "%s-%s%s%s%s" % (mode, b.ccname, "-fastswitch" if args.fastswitch else "",
                                           "-copystack" if COPYSTACK[0] else "", "-tsan" if TSAN[0] else ""))
    os.makedirs(gdir, exist_ok=True)
    if mode in ("student", "mine"):
        ign = ignored_entries(kit.manifests)
        if ign:
            say("Ignored under labs/ (no lab owns them; not compiled):")
            for e in ign[:20]:
                say("    " + e)
            if len(ign) > 20:
                say("    ... and %d more" % (len(ign) - 20))
    libs = [f"lib/src/{n}" for n in sorted(os.listdir(os.path.join(ROOT, "lib/src"))) if n.endswith(".c")]
    lib_futs = [b.pool.submit(pristine, b, r) for r in libs + ["tests/harness/ktest.c"]]
    lib_objs = [f.result() for f in lib_futs]
    harness = lib_objs.pop()
    stubs = stubs_object(b, kit, gdir, lib_objs)

    # Every module each selected lab's binaries need, compiled in parallel.
    need = {}
    for lab in sel:
        need[lab] = [(source_root(mode, l, lab), l) for l in kit.ids if kit.manifests[l].files]
        for key in need[lab]:
            if key not in kit.modules:
                kit.modules[key] = kit.pool_module(key[0], key[1], lib_objs)
    hdir = os.path.abspath(args.hidden) if args.hidden and len(sel) == 1 else ""
    tests = {lab: [(src, hid, b.pool.submit(pristine, b, os.path.relpath(src, ROOT) if src.startswith(ROOT + "/")
                                            else src)) for src, hid in test_sources(lab, hdir, args.only.split())] for lab in sel}

    kt = [os.path.join(b.build, "tools", "kt-grade"), "--jobs", str(args.jobs), "--expect", args.expect,
          "--json", os.path.join(gdir, "results.json"), "--junit", os.path.join(gdir, "junit.xml"),
          "--kit", ROOT]
    if args.brief:
        kt.append("--brief")
    kt += args.kt_flags.split()
    hide = [os.path.join(ROOT, "tests", l, "hidden") for l in kit.ids]
    hide = [h for h in hide if os.path.isdir(h)] + ([hdir] if hdir else [])
    if os.geteuid() == 0:
        for h in hide:  # the tests' users cannot read hidden tests even without namespaces
            os.chmod(h, 0o700)
    for h in hide:
        kt += ["--hide", h]
    for lab in sel:
        m = kit.manifests[lab]
        root = source_root(mode, lab, lab)
        errors = []
        objs = []
        for key in need[lab]:
            o, err = kit.modules[key].result()
            if err is None:
                objs += o
            elif key[1] == lab:
                errors.append(err)
            else:
                errors.append("it needs lab %s's code, which could not be built (see Lab %s)" % (key[1][:2], key[1][:2]))
        mine = [k for k in need[lab] if k[0] == "labs"] if MYLABS else [(root, lab)]
        kt += ["--lab", lab[:2], "--title", m.title,
               "--files", " ".join("%s/%s/%s" % (r, l, f) for r, l in mine for f in kit.manifests[l].files
                                   if f.endswith(".c") and not (COPYSTACK[0] and (l, f) in COPYSTACK_OUT))]
        vfile = os.path.join(ROOT, "tests", lab, "variants")
        if os.path.exists(vfile):
            kt += [a for l in open(vfile, encoding="utf-8") if l.strip() and not l.startswith("#")
                   for a in ("--variant", l.strip())]
        bins = []
        for src, hidden, fut in tests[lab]:
            tobj = fut.result()
            name = ("hidden_" if hidden else "") + os.path.splitext(os.path.basename(src))[0]
            ldf = os.path.splitext(src)[0] + ".ldflags"
            extra = open(ldf, encoding="utf-8").read().split() if os.path.exists(ldf) else []
            lister = os.path.join(gdir, lab, "list", name)
            binp = os.path.join(gdir, lab, name)
            lf = b.pool.submit(link, b, lister, [tobj, stubs] + lib_objs + [harness], extra)
            bf = None if errors else b.pool.submit(link, b, binp, [tobj] + objs + lib_objs + [harness], extra)
            bins.append((binp, lister, hidden, name, lf, bf))
        for binp, lister, hidden, name, lf, bf in bins:
            err = lf.result()
            if err:
                raise SystemExit("grade: cannot link the listing binary %s:\n%s" % (lister, esc(err)))
            e = bf.result() if bf is not None else None
            if e and not errors:
                errors.append("%s does not link with %s:\n%s" % (name, "your files" if root == "labs" else root, e))
            for path in (lister, binp):
                if hidden and os.path.exists(path):
                    os.chmod(path, 0o711)
            if e and os.path.exists(binp):
                os.unlink(binp)
        if errors:
            kt += ["--lab-error", esc("\n".join(errors))]
        for binp, lister, hidden, *_ in bins:
            kt += (["--hidden"] if hidden else []) + ["--lister", os.path.relpath(lister, ROOT),
                                                      os.path.relpath(binp, ROOT)]
    if args.build_only:
        return 0
    # kt-grade itself: built from the kit, never from labs/.
    ktsrc = sorted(os.path.join("tools/grader", n) for n in os.listdir(os.path.join(ROOT, "tools/grader"))
                   if n.endswith(".c"))
    ktbin = kt[0]
    if not os.path.exists(ktbin) or any(os.path.getmtime(os.path.join(ROOT, s)) > os.path.getmtime(ktbin)
                                        for s in ktsrc + ["tools/grader/grader.h"]):
        os.makedirs(os.path.dirname(ktbin), exist_ok=True)
        st, out = run(b.cc.split() + ["-std=c11", "-O1", "-g"] + WARN + ["-Werror", "-o", ktbin] + ktsrc, cwd=ROOT)
        if st != 0:
            say(out)
            return 2
    sys.stdout.flush()
    return subprocess.call(kt, cwd=ROOT)


def cmd_apps(args):
    b = Builder(args)
    kit = Kit(b, args.mode)
    sel = select_labs(kit.ids, args.labs)
    libs = [f"lib/src/{n}" for n in sorted(os.listdir(os.path.join(ROOT, "lib/src"))) if n.endswith(".c")]
    lib_objs = [f.result() for f in [b.pool.submit(fast_pristine, b, r) for r in libs]]
    outdir = os.path.join(b.build, "apps", args.mode)
    built = []
    status = 0
    if args.run is not None and not args.app:
        names = [os.path.splitext(os.path.basename(a))[0] for l in sel for a in kit.manifests[l].apps]
        if len(names) != 1:
            say("make run: say which program with APP=, e.g. make run LAB=02 APP=echo_server (demos%s: %s)" %
                (" of LAB=" + args.labs if args.labs else "", " ".join(names) or "none"))
            return 2
        args.app = names[0]
    for lab in sel:
        for app in kit.manifests[lab].apps:
            name = os.path.splitext(os.path.basename(app))[0]
            if args.app and args.app != name:
                continue
            # Only what this demo needs: its lab and the labs before it.
            objs = []
            for l in kit.ids[:kit.ids.index(lab) + 1]:
                root = source_root(args.mode, l, lab)
                for f in kit.manifests[l].files + ([app] if l == lab else []):
                    if not f.endswith(".c"):
                        continue
                    rel = "%s/%s/%s" % (root, l, f)
                    data, err = stage_file(root, l, f, os.path.join(kit.stage, "fast"))
                    if err:
                        say("make run: " + err)
                        return 2
                    res = b.compile(rel, data, "fast", cwd=os.path.join(kit.stage, "fast"))
                    if not res["ok"]:
                        say(first_error(res["output"]))
                        return 2
                    objs.append(res["obj"])
            out = os.path.join(outdir, name)
            os.makedirs(outdir, exist_ok=True)
            cmd = b.cc.split() + ["-o", out] + objs + lib_objs + ["-lm", "-pthread"]
            st, text = run(cmd, limited=True)
            if st != 0:
                say(first_error(text))
                status = 2
                continue
            say("  LD   " + os.path.relpath(out, ROOT))
            built.append(out)
    if args.app and not built and status == 0:
        say("make run: no demo named %s in LAB=%s (demos: %s)" % (args.app, args.labs or "any", " ".join(
            os.path.splitext(os.path.basename(a))[0] for l in sel for a in kit.manifests[l].apps)))
        return 2
    if args.run is not None and built:
        sys.stdout.flush()
        os.execv(built[0], [built[0]] + args.run)
    return status


def fast_pristine(b, rel):
    res = b.compile(rel, open(os.path.join(ROOT, rel), "rb").read(), "fast")
    if not res["ok"]:
        raise SystemExit(res["output"])
    return res["obj"]


def main(argv):
    ap = argparse.ArgumentParser(prog="grade.py")
    ap.add_argument("command", choices=["grade", "apps", "manifests"])
    ap.add_argument("--mode", default="student", choices=["student", "mine", "solutions", "starters", "patched"])
    ap.add_argument("--graded-root", default="")
    ap.add_argument("--gdir", default="")
    ap.add_argument("--only", default="")
    ap.add_argument("--kt-flags", default="")
    ap.add_argument("--copystack", action="store_true")
    ap.add_argument("--labs", default="")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc") or "cc")
    ap.add_argument("--build", default="build")
    ap.add_argument("--werror", action="store_true")
    ap.add_argument("--fastswitch", action="store_true")
    ap.add_argument("--expect", default="pass", choices=["pass", "fail"])
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--brief", action="store_true")
    ap.add_argument("--hidden", default="")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--app", default="")
    ap.add_argument("--mylabs", default="")
    ap.add_argument("--tsan", action="store_true")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--run", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    os.chdir(ROOT)
    MYLABS.update(w[:2] for w in args.mylabs.split())
    TSAN[0] = args.tsan
    COPYSTACK[0] = args.copystack
    if args.mode == "patched":
        if not args.graded_root:
            say("grade: --mode patched needs --graded-root DIR (make grade MODE=patched GRADED_ROOT=DIR)")
            return 2
        gr = os.path.realpath(args.graded_root)
        if not gr.startswith(ROOT + "/"):
            say("grade: GRADED_ROOT must lie inside the kit (%s)" % ROOT)
            return 2
        GRADED_ROOT[0] = os.path.relpath(gr, ROOT)
    if args.command == "manifests":
        return cmd_manifests(args)
    if args.command == "apps":
        return cmd_apps(args)
    return cmd_grade(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
