#!/usr/bin/python3
"""Check what qa-scheduler installs (SPEC section 9), run by scripts/test.sh.

    check_package.py deb FILE.deb     the package from scripts/package.sh
    check_package.py install BUILD    `cmake --install BUILD` into a DESTDIR

Both check the layout (binary, every plugin, header, pkg-config file, unit,
config, calendars), then run the installed binary from where it was put:
`version`, `check-config` and `plugins` with a config naming the installed
plugins and calendars; and build a plugin out of the tree against the
installed header through the installed pkg-config file, which the installed
binary must load. The package must also declare its dependencies, its
conffile and the postinst that makes the service's user; the unit must name
the binary and config where that prefix puts them.

Standard library, dpkg-deb, pkg-config and cc only. Exits non-zero with a
line per problem.
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PLUGIN_IDS = sorted(os.path.basename(p)[:-2] for p in
                    glob.glob(os.path.join(SOURCE, "plugins", "*.c")))
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)
    return ok


def run(*args, env=None):
    return subprocess.run(args, capture_output=True, text=True, env=env,
                          timeout=300)


def one(root, pattern):
    found = glob.glob(os.path.join(root, pattern), recursive=True)
    check(len(found) == 1, f"{pattern}: {len(found)} found under {root}")
    return found[0] if found else None


def check_tree(root, prefix, etc):
    """The installed files under root, for an install into prefix with its
    configuration in etc. Returns (binary, plugin dir, calendar, pc dir)."""
    binary = os.path.join(root, prefix.lstrip("/"), "bin", "qa-scheduler")
    check(os.access(binary, os.X_OK), f"{binary}: not an executable")
    plugins = one(root, prefix.lstrip("/") + "/lib*/**/qa-scheduler/plugins")
    if not plugins:
        return binary, "", "", ""
    libdir = os.path.dirname(os.path.dirname(plugins))
    have = sorted(os.path.basename(p)[3:-3] for p in
                  glob.glob(os.path.join(plugins, "qa_*.so")))
    check(have == PLUGIN_IDS, f"plugins installed {have}, built {PLUGIN_IDS}")
    for name in ("plugin.h", "util.h"):
        header = os.path.join(root, prefix.lstrip("/"), "include",
                              "qa-scheduler", name)
        check(os.path.isfile(header), f"{header}: missing")
    pc_dir = os.path.join(libdir, "pkgconfig")
    check(os.path.isfile(os.path.join(pc_dir, "qa-scheduler-plugin.pc")),
          f"{pc_dir}/qa-scheduler-plugin.pc: missing")
    conf = os.path.join(root, etc.lstrip("/"), "qa-scheduler",
                        "qa-scheduler.conf")
    check(os.path.isfile(conf), f"{conf}: missing")
    doc = os.path.join(root, prefix.lstrip("/"), "share", "doc",
                       "qa-scheduler", "README.md")
    check(os.path.isfile(doc), f"{doc} (the unit's Documentation=): missing")
    for page in ("man1/qa-scheduler.1.gz", "man5/qa-scheduler.conf.5.gz"):
        path = os.path.join(root, prefix.lstrip("/"), "share", "man", page)
        check(os.path.isfile(path), f"{path}: missing")
    copyright = os.path.join(os.path.dirname(doc), "copyright")
    check(os.path.isfile(copyright) and "License: Expat" in
          open(copyright).read(), f"{copyright}: missing, or not MIT")
    calendar = os.path.join(root, prefix.lstrip("/"), "share",
                            "qa-scheduler", "calendars",
                            "england-and-wales-bank-holidays.ics")
    check(os.path.isfile(calendar), f"{calendar}: missing")
    completion = os.path.join(root, prefix.lstrip("/"), "share",
                              "bash-completion", "completions",
                              "qa-scheduler")
    check(os.path.isfile(completion) and "complete -F _qa_scheduler "
          "qa-scheduler" in open(completion).read(),
          f"{completion}: missing, or not the completion script")
    for name in ("qa-scheduler-backup.service", "qa-scheduler-backup.timer"):
        found = one(root, f"**/lib/systemd/system/{name}")
        if found and name.endswith(".service"):
            want = (f"ExecStart={prefix}/bin/qa-scheduler -c "
                    f"{etc}/qa-scheduler/qa-scheduler.conf backup --keep 14 ")
            check(want in open(found).read(), f"{found}: no {want!r}")
        elif found:
            check("Persistent=true" in open(found).read(),
                  f"{found}: not Persistent=true")
    unit = one(root, "**/lib/systemd/system/qa-scheduler.service")
    if unit:
        text = open(unit).read()
        want = (f"ExecStart={prefix}/bin/qa-scheduler -c "
                f"{etc}/qa-scheduler/qa-scheduler.conf serve")
        check(want in text, f"{unit}: no line {want!r}")
        want = f"Documentation=file:{prefix}/share/doc/qa-scheduler/README.md"
        check(want in text, f"{unit}: no line {want!r}")
    return binary, plugins, calendar, pc_dir


def check_runs(root, binary, plugins, calendar, pc_dir, work):
    """The installed binary runs, reads the installed plugins and calendars,
    and loads a plugin built against the installed header."""
    env = dict(os.environ)
    conf = os.path.join(work, "qa.conf")
    with open(conf, "w") as f:
        f.write(f"[database]\npath = {work}/qa.db\n\n"
                f"[plugins]\ndir = {plugins}\n\n"
                f"[calendars]\nholidays = {calendar}\n")
    r = run(binary, "version", env=env)
    check(r.returncode == 0 and re.search(r"\d+\.\d+\.\d+", r.stdout),
          f"version: {r.returncode} {r.stdout!r} {r.stderr!r}")
    r = run(binary, "-c", conf, "check-config", env=env)
    check(r.returncode == 0, f"check-config: {r.stderr}")
    r = run(binary, "-c", conf, "plugins", env=env)
    check(r.returncode == 0 and all(i in r.stdout for i in PLUGIN_IDS),
          f"plugins: {r.returncode} {r.stdout!r} {r.stderr!r}")

    # A third party's plugin, built with what was installed.
    pc_env = dict(env, PKG_CONFIG_PATH=pc_dir, PKG_CONFIG_SYSROOT_DIR=root)
    r = run("pkg-config", "--cflags", "qa-scheduler-plugin", env=pc_env)
    if not check(r.returncode == 0, f"pkg-config: {r.stderr}"):
        return
    mine = os.path.join(work, "plugins")
    os.mkdir(mine)
    cflags = r.stdout.split()
    # The plugin author's own flags (plugins/README.md): pkg-config gives
    # only where the header is, as Debian's policy asks.
    check(cflags == [f"-I{root.rstrip('/')}{prefix_of(pc_dir)}/include"],
          f"pkg-config --cflags: {cflags}")
    r = run("cc", *cflags, "-fPIC", "-fvisibility=hidden", "-shared", "-o",
            os.path.join(mine, "qa_example.so"),
            os.path.join(SOURCE, "tests", "plugins", "example.c"))
    if not check(r.returncode == 0, f"cc example.c: {r.stderr}"):
        return
    with open(conf, "w") as f:
        f.write(f"[database]\npath = {work}/qa.db\n\n"
                f"[plugins]\ndir = {mine}\n\n"
                f"[calendars]\nholidays = {calendar}\n")
    r = run(binary, "-c", conf, "plugins", env=env)
    check(r.returncode == 0 and "example" in r.stdout,
          f"plugins (out of tree): {r.returncode} {r.stdout!r} {r.stderr!r}")


def check_deb(deb, work):
    fields = {}
    for name in ("Package", "Version", "Depends", "Architecture"):
        r = run("dpkg-deb", "-f", deb, name)
        fields[name] = r.stdout.strip()
    check(fields["Package"] == "qa-scheduler", f"Package: {fields}")
    depends = fields["Depends"]
    for lib in ("libc6", "libical3", "libevent-2.1-7", "libsqlite3-0",
                "libsodium23", "libcurl4", "libjansson4",
                "libcsv3", "zlib1g", "libjemalloc2", "passwd"):
        check(re.search(rf"(^|, ){re.escape(lib)}( |,|$)", depends),
              f"Depends lacks {lib}: {depends}")
    # config_scan.c reads the INI syntax itself (SPEC section 12: Debian's
    # inih cannot report every bad line with its number).
    check("libinih" not in depends, f"Depends names inih: {depends}")
    control = os.path.join(work, "control")
    r = run("dpkg-deb", "-e", deb, control)
    check(r.returncode == 0, f"dpkg-deb -e: {r.stderr}")
    conffiles = open(os.path.join(control, "conffiles")).read().split()
    check(conffiles == ["/etc/qa-scheduler/qa-scheduler.conf"],
          f"conffiles: {conffiles}")
    postinst = open(os.path.join(control, "postinst")).read()
    check("useradd --system" in postinst and "qa-scheduler" in postinst,
          "postinst makes no qa-scheduler user")
    check("dpkg-statoverride --update --add root qa-scheduler 0640" in
          postinst.replace("\\\n", " ").replace("\t", ""),
          "postinst leaves the config (a password, maybe) world-readable")
    check(os.stat(os.path.join(control, "postinst")).st_mode & 0o111,
          "postinst is not executable")
    check("install -d -o qa-scheduler" in postinst,
          "postinst leaves /var/lib/qa-scheduler to the first start")
    prerm = open(os.path.join(control, "prerm")).read()
    check(re.search(r"deb-systemd-invoke stop qa-scheduler-backup\.timer"
                    r"[\s\\]*qa-scheduler\.service", prerm),
          "prerm leaves the service or the backup timer running without "
          "its binary")
    for script in ("postinst", "prerm", "postrm"):
        r = run("sh", "-n", os.path.join(control, script))
        check(r.returncode == 0, f"{script}: {r.stderr}")
    root = os.path.join(work, "root")
    r = run("dpkg-deb", "-x", deb, root)
    check(r.returncode == 0, f"dpkg-deb -x: {r.stderr}")
    found = check_tree(root, "/usr", "/etc")
    r = run(found[0], "version")
    check(fields["Version"] in r.stdout,
          f"version {r.stdout!r} is not the package's {fields['Version']}")
    check_runs(root, *found, work)


def prefix_of(pc_dir):
    """The prefix the pkg-config file in pc_dir names (its prefix= line)."""
    with open(os.path.join(pc_dir, "qa-scheduler-plugin.pc")) as f:
        return re.search(r"^prefix=(.*)$", f.read(), re.M)[1]


def check_install(build, work):
    cache = open(os.path.join(build, "CMakeCache.txt")).read()
    configured = re.search(r"^CMAKE_INSTALL_PREFIX:PATH=(.*)$", cache,
                           re.M)[1]
    # As configured, then relocated at install time (issue 14): the unit,
    # the config's place and the pkg-config file follow --prefix.
    for n, prefix in enumerate((configured, "/opt/qa-relocated")):
        root = os.path.join(work, f"root{n}")
        argv = ["cmake", "--install", build]
        if prefix != configured:
            argv += ["--prefix", prefix]
        r = run(*argv, env=dict(os.environ, DESTDIR=root))
        if not check(r.returncode == 0, f"cmake --install: {r.stderr}"):
            return
        etc = "/etc" if prefix == "/usr" else prefix + "/etc"
        found = check_tree(root, prefix, etc)
        pc_dir = found[-1]
        if not pc_dir:
            return
        check(prefix_of(pc_dir) == prefix,
              f"{pc_dir}: prefix={prefix_of(pc_dir)}, installed to {prefix}")
        sub = os.path.join(work, f"run{n}")
        os.mkdir(sub)
        check_runs(root, *found, sub)


def main(argv):
    if len(argv) != 2 or argv[0] not in ("deb", "install"):
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="qa-package-")
    try:
        (check_deb if argv[0] == "deb" else check_install)(argv[1], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for p in problems:
        print(f"check_package.py: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check_package.py: {argv[0]} {argv[1]}: layout, binary, plugins "
          f"({len(PLUGIN_IDS)}), an out-of-tree plugin: all as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
