#!/usr/bin/python3
"""Run a command once and print "WALL_MS MAXRSS_KB USER_MS SYS_MS".

    timecmd.py [--stdout FILE] -- COMMAND [ARG...]

The command's stdout goes to FILE (default /dev/null), its stderr passes
through. The peak RSS is the child's own ru_maxrss from wait4(2), the figure
GNU `/usr/bin/time -v` reports as "Maximum resident set size". Exits with the
command's status (128 + N if a signal N killed it).
"""
import os
import subprocess
import sys
import time


def main(argv):
    out = "/dev/null"
    if argv[:1] == ["--stdout"]:
        out, argv = argv[1], argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        sys.exit(__doc__)
    with open(out, "wb") as sink:
        t0 = time.perf_counter()
        child = subprocess.Popen(argv, stdout=sink)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        child.returncode = 0  # reaped by wait4; keep Popen from waiting
    print(f"{wall * 1000:.1f} {usage.ru_maxrss} "
          f"{usage.ru_utime * 1000:.1f} {usage.ru_stime * 1000:.1f}")
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
