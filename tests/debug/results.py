"""results.py - PASS/FAIL lines and the "NAME: N passed, N failed" summary
the tests/debug scripts print (make check-debug reads the last line).

    from results import Results
    r = Results("replay_rom")
    r.check(ok, "what was checked")
    r.finish()          # prints the summary, exits 0 or 1
"""
import sys


class Results:
    def __init__(self, name):
        self.name, self.passed, self.failed = name, 0, 0

    def check(self, ok, msg):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(("PASS" if ok else "FAIL") + " %s: %s" % (self.name, msg), flush=True)

    def skip(self, why):
        print("%s: SKIP: %s" % (self.name, why), flush=True)
        self.finish()

    def finish(self):
        print("%s: %d passed, %d failed" % (self.name, self.passed, self.failed), flush=True)
        sys.exit(0 if self.failed == 0 else 1)
