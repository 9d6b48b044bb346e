"""Applies a plan (sockcap plan --format json) to a fixture tree, as an
operator would to a host: every sysctl into its proc/sys file, the nofile
and nproc limits into proc/self/limits, and, when the subject is a new
service on the host, LimitNOFILE= as systemd's DefaultLimitNOFILE= (what a
new service gets).

usage: python3 apply_plan.py PLAN.json ROOT"""
import json
import os
import re
import sys

ROWS = {"nofile": "Max open files", "nproc": "Max processes"}


def main():
    plan = json.load(open(sys.argv[1]))
    root = sys.argv[2]
    new_service = plan["subject"]["kind"] == "new_service" and not plan["container"]["detected"]
    for r in plan["recommendations"]:
        if r["kind"] == "systemd" and r["key"] == "LimitNOFILE" and new_service:
            os.makedirs(f"{root}/etc/systemd/system.conf.d", exist_ok=True)
            with open(f"{root}/etc/systemd/system.conf.d/zz-applied.conf", "w") as f:
                f.write(f"[Manager]\nDefaultLimitNOFILE={r['recommended']}\n")
        elif r["kind"] == "sysctl":
            path = f"{root}/proc/sys/{r['key'].replace('.', '/')}"
            with open(path, "w") as f:
                f.write(r["recommended"].replace(" ", "\t") + "\n")
        elif r["kind"] == "limits":
            which, item = r["key"].split()
            path = f"{root}/proc/self/limits"
            text = open(path).read()
            name = ROWS[item]

            def repl(m):
                soft, hard = m.group(2), m.group(3)
                if which == "soft":
                    soft = r["recommended"]
                else:
                    hard = r["recommended"]
                return f"{m.group(1)}{soft:<21}{hard:<21}{m.group(4)}"

            text, n = re.subn(rf"^({re.escape(name)}\s+)(\S+)\s+(\S+)\s+(.*)$", repl, text,
                              flags=re.M)
            assert n == 1, f"no '{name}' row in {path}"
            open(path, "w").write(text)


if __name__ == "__main__":
    main()
