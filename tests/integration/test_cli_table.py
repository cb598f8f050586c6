"""The command line's one table: help, COMMAND --help, the parser and bash
completion all come from it, so none can name an option another does not
know."""

import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import qa  # noqa: E402

# A value of the right kind for each argument name help shows.
SAMPLE = {"DATE": "2026-01-05", "N": "1", "DAYS": "3", "YYYY-MM": "2026-01",
          "table|json|csv": "json", "table|json|csv|html": "json"}
# And for each operand help names.
OPERAND = {"SHELL": "bash", "KIND": "activity"}


def commands(text):
    """The commands `help` lists, with the operands it shows."""
    body = text.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    out = []
    for line in body.splitlines():
        if not line.startswith("  ") or line.startswith("   "):
            continue
        words = line[2:28].split()
        name = [w for w in words if w == w.lower() and w != "[command]"]
        operands = [w for w in words if w not in name]
        out.append((name, operands))
    return out


def options(text):
    """(name, argument or None, required) for each option `help CMD`
    lists."""
    found = []
    body = text.split("options:\n", 1)[1] if "options:\n" in text else ""
    # An option's line, and the lines its help wraps onto.
    for entry in re.split(r"\n(?=  --)", body):
        m = re.match(r"  --([a-z-]+)(?: (\S+))?\s", entry + " ")
        if m:
            found.append((m.group(1), m.group(2), "(required)" in entry))
    return found


# Options that need another to be given with them (one of --staff or
# --team).
WITH = {("feed-url", "rotate"): ["--staff", "x"],
        ("feed-url", "revoke"): ["--staff", "x"]}


class CliTableTest(unittest.TestCase):
    def setUp(self):
        self.ws = qa.Workspace()
        self.missing = os.path.join(self.ws.dir, "no-such.conf")

    def tearDown(self):
        self.ws.cleanup()

    def cli(self, *args, config=None):
        return subprocess.run([qa.BIN, "-c", config or self.missing,
                               *args], capture_output=True, text=True)

    def test_help_lists_what_the_parser_takes(self):
        top = self.cli("help")
        self.assertEqual(top.returncode, 0, top.stderr)
        listed = commands(top.stdout)
        names = [" ".join(n) for n, _ in listed]
        for want in ("serve", "check-config", "plugins", "staff add",
                     "staff import", "staff list", "staff leave", "record",
                     "due", "next", "feed-url", "export", "version", "help",
                     "completion"):
            self.assertIn(want, names)
        for name, operands in listed:
            with self.subTest(command=" ".join(name)):
                own = self.cli("help", *name)
                self.assertEqual(own.returncode, 0, own.stderr)
                self.assertIn("usage: qa-scheduler [-c FILE] " +
                              " ".join(name), own.stdout)
                # COMMAND --help prints the same text.
                if name != ["help"]:
                    dashed = self.cli(*name, "--help")
                    self.assertEqual(dashed.returncode, 0, dashed.stderr)
                    self.assertEqual(dashed.stdout, own.stdout)
                opts = options(own.stdout)
                args = [o for o in operands if o != "[COMMAND]"]
                args = [OPERAND.get(o, "x") for o in args]
                required = []
                for opt, arg, req in opts:
                    if req:
                        required += [f"--{opt}", SAMPLE.get(arg, "x")]
                # Every option help names is one the parser takes: with
                # the required ones, no usage error (2); the missing
                # config then fails it (1) unless it needs none.
                for opt, arg, req in opts:
                    if req:
                        continue
                    given = [f"--{opt}"] + ([SAMPLE.get(arg, "x")]
                                            if arg else [])
                    given += WITH.get((" ".join(name), opt), [])
                    r = self.cli(*name, *args, *required, *given)
                    self.assertNotEqual(r.returncode, 2,
                                        (opt, r.stderr))
                    self.assertNotIn("unknown option", r.stderr)
                # And one it does not name is refused as a usage error.
                r = self.cli(*name, *args, *required, "--no-such-option")
                self.assertEqual(r.returncode, 2, r.stderr)
                # A required option left out is a usage error naming it.
                for k in range(0, len(required), 2):
                    short = required[:k] + required[k + 2:]
                    r = self.cli(*name, *args, *short)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertIn(f"{required[k]} is required", r.stderr)

    def test_values_checked_by_kind(self):
        r = self.cli("due", "--as-of", "2026-02-30")
        self.assertEqual(r.returncode, 1)
        self.assertIn('due: --as-of "2026-02-30": not a date', r.stderr)
        r = self.cli("next", "supervision", "--count", "1001")
        self.assertEqual(r.returncode, 1)
        self.assertIn("from 0 to 1000", r.stderr)
        r = self.cli("staff", "list", "--format", "xml")
        self.assertEqual(r.returncode, 2)
        self.assertIn('"xml": use table, json or csv', r.stderr)
        r = self.cli("due", "--team", "A", "--team", "B")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--team given twice", r.stderr)
        r = self.cli("staff")
        self.assertEqual(r.returncode, 2)
        self.assertIn("add, import, list or leave", r.stderr)
        # plugins has a --help ID of its own; a bare one is the usage.
        r = self.cli("plugins", "--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("usage: qa-scheduler [-c FILE] plugins", r.stdout)

    def complete(self, line, config=None):
        """What bash completion offers at the end of line."""
        script = self.cli("completion", "bash").stdout
        path = os.path.join(self.ws.dir, "completion.bash")
        qa.write(path, script)
        bindir = os.path.join(self.ws.dir, "bin")
        os.makedirs(bindir, exist_ok=True)
        link = os.path.join(bindir, "qa-scheduler")
        if not os.path.exists(link):
            os.symlink(qa.BIN, link)
        words = line.split(" ")
        prog = f"""
source {path}
COMP_WORDS=({" ".join(repr(w) for w in words)})
COMP_CWORD={len(words) - 1}
_qa_scheduler
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
        env = dict(os.environ, PATH=bindir + ":" + os.environ["PATH"])
        r = subprocess.run(["bash", "--norc", "-c", prog], env=env,
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        return sorted(w for w in r.stdout.split("\n") if w)

    def test_bash_completion(self):
        r = self.cli("completion", "bash")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("complete -F _qa_scheduler qa-scheduler", r.stdout)
        self.assertEqual(self.complete("qa-scheduler rec"), ["record"])
        self.assertEqual(self.complete("qa-scheduler staff "),
                         ["add", "import", "leave", "list"])
        self.assertEqual(self.complete("qa-scheduler due --format "),
                         ["csv", "json", "table"])
        # Every option help lists for record, and nothing else.
        listed = {f"--{o}" for o, _, _ in
                  options(self.cli("help", "record").stdout)}
        self.assertEqual(set(self.complete("qa-scheduler record --")),
                         listed | {"--help"})
        listed = {f"--{o}" for o, _, _ in
                  options(self.cli("help", "staff", "add").stdout)}
        self.assertEqual(set(self.complete("qa-scheduler staff add --")),
                         listed | {"--help"})
        self.assertEqual(self.complete("qa-scheduler completion "),
                         ["bash"])
        # An activity: the ones the configured plugins give.
        got = self.complete(f"qa-scheduler -c {self.ws.config} record sup")
        self.assertEqual(got, ["supervision"])
        # record is a command and the start of record import.
        got = self.complete(f"qa-scheduler -c {self.ws.config} record i")
        self.assertEqual(got, ["import", "iro_scrutiny"])
        self.assertEqual(self.complete("qa-scheduler record import --"),
                         ["--help"])
        self.assertIn("--grade", self.complete(
            "qa-scheduler record supervision --"))

    def test_usage_text_fits_a_terminal(self):
        for args in (["help"], ["help", "record"], ["help", "staff"],
                     ["help", "due"], ["help", "staff", "add"]):
            out = self.cli(*args).stdout
            for line in out.splitlines():
                self.assertLessEqual(len(line), 79, (args, line))


if __name__ == "__main__":
    qa.main()
