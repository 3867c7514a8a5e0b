#!/usr/bin/env python3
"""Real clients, written by nobody here, against deskwire-sim (CI runs this from .ci/run).

  check.py --sim target/debug/deskwire-sim --bodies DIR [--python VENV_PYTHON]

1. Engage Digital: the PHP and Ruby "Complete Examples" of the Send API page
   (conformance/sources/engage-digital/send-api.md, the document as published), taken out of
   the page and run unmodified except for the URL, against the simulator started with the
   example's own access token and source id. Each must print `200: ok`, and the desk must
   have received the example's message.
2. Chatlake: the published `chatwoot-sdk` (PyPI, pinned in requirements.txt) creates a
   contact, a conversation and a message, and reads them back (chatwoot_sdk.py).
3. Rake Direct: the use-case page's six curl requests, made valid JSON as the conformance
   cases repair them (`deskwire-conformance --emit-bodies`), sent with curl the way the page
   does (`curl -X POST <url> -d <body>`), each against a simulator holding the body's secret.

Exits non-zero on the first failure, saying which client and why.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
SEND_API_PAGE = os.path.join(ROOT, "conformance", "sources", "engage-digital", "send-api.md")
EXAMPLE_HOST = "https://yourdomain.engagement.dimelo.com"


class Sim:
    """A deskwire-sim process; its first stdout line is the announcement."""

    def __init__(self, binary, provider, *args):
        self.proc = subprocess.Popen([binary, provider, "--no-agent", *args], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"FAIL deskwire-sim {provider} printed no announcement")
        self.announcement = json.loads(line)
        self.base_url = self.announcement["base_url"]
        self.credentials = self.announcement["credentials"]

    def received(self):
        request = urllib.request.Request(
            self.base_url + "/_sim/exchanges",
            headers={"x-sim-control-token": self.announcement["control_token"]},
        )
        with urllib.request.urlopen(request) as r:
            exchanges = json.load(r)
        return [e.get("summary") for e in exchanges if e["direction"] == "in" and e.get("status") == 200]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def fail(what, why):
    print(f"FAIL {what}: {why}", flush=True)
    sys.exit(1)


def example(language):
    """The page's `=== "<language>"` tab, its code block dedented."""
    page = open(SEND_API_PAGE, encoding="utf-8").read()
    tab = page.split(f'=== "{language}"', 1)[1]
    block = re.search(r"```[a-z]*\n(.*?)\n\s*```", tab, re.S).group(1)
    return textwrap.dedent(block) + "\n"


def engage_digital(binary):
    php, ruby = example("PHP"), example("Ruby")
    token = re.search(r"'([0-9a-f]{64})'", php).group(1)
    source = re.search(r"\$source_id = '([0-9a-f]+)'", php).group(1)
    for language, code, interpreter, suffix, body in [
        ("PHP", php, ["php"], ".php", "Nice post!"),
        ("Ruby", ruby, ["ruby"], ".rb", "Nice post !"),
    ]:
        with Sim(binary, "engage-digital", "--poll-ms", "0", "--credential", f"access_token={token}",
                 "--credential", f"source_id={source}") as sim:
            if EXAMPLE_HOST not in code:
                fail(f"Engage Digital {language} example", f"the page's example no longer posts to {EXAMPLE_HOST}")
            with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
                f.write(code.replace(EXAMPLE_HOST, sim.base_url))
            out = subprocess.run(interpreter + [f.name], capture_output=True, text=True, timeout=60)
            os.unlink(f.name)
            printed = out.stdout.strip()
            if out.returncode != 0 or printed != "200: ok":
                fail(f"Engage Digital {language} example", f"printed {printed!r} (exit {out.returncode}) {out.stderr.strip()[:300]}")
            if f"message: {body}" not in sim.received():
                fail(f"Engage Digital {language} example", f"the desk did not record the message; it saw {sim.received()}")
            print(f"ok   Engage Digital {language} example: {printed}", flush=True)


def chatlake(binary, python):
    with Sim(binary, "chatlake") as sim:
        out = subprocess.run([python, os.path.join(os.path.dirname(__file__), "chatwoot_sdk.py"), "-"],
                             input=json.dumps(sim.announcement), capture_output=True, text=True, timeout=120)
        print(textwrap.indent(out.stdout.strip(), "     "), flush=True)
        if out.returncode != 0:
            fail("chatwoot-sdk against the Chatlake simulator", out.stderr.strip()[-500:] or "see above")
        print("ok   chatwoot-sdk (PyPI) against the Chatlake simulator", flush=True)


def rake_direct(binary, bodies):
    files = sorted(f for f in os.listdir(bodies) if f.startswith("rake-direct-"))
    if len(files) != 6:
        fail("Rake Direct curl", f"expected the page's 6 request bodies in {bodies}, found {files}")
    by_secret = {}
    for name in files:
        body = json.load(open(os.path.join(bodies, name)))
        by_secret.setdefault(body["secret"], []).append(name)
    for secret, names in by_secret.items():
        with Sim(binary, "rake-direct", "--credential", f"secret={secret}") as sim:
            url = f"{sim.base_url}/workspaces/{sim.credentials['workspace_id']}/rake-direct"
            for name in names:
                body = open(os.path.join(bodies, name)).read()
                out = subprocess.run(["curl", "-sS", "-w", "\\n%{http_code}", "-X", "POST", url, "-d", body],
                                     capture_output=True, text=True, timeout=30)
                answer, _, status = out.stdout.rpartition("\n")
                if out.returncode != 0 or status != "200":
                    fail(f"Rake Direct curl {name}", f"status {status}: {answer} {out.stderr.strip()}")
                sent = json.loads(body)
                if "sessionId" not in sent and "sessionId" not in json.loads(answer):
                    fail(f"Rake Direct curl {name}", f"a new session must answer its sessionId, got {answer}")
                print(f"ok   Rake Direct curl {name}: {answer}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sim", required=True)
    parser.add_argument("--bodies", required=True)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    engage_digital(args.sim)
    chatlake(args.sim, args.python)
    rake_direct(args.sim, args.bodies)
    print("PASS every real client", flush=True)


if __name__ == "__main__":
    main()
