#!/usr/bin/env python3
"""Writes conformance/fixtures/directly/* from seed 004 (Messaging API - Getting Started).

Run from the repository root with `python3 conformance/tools/extract_directly.py ../shared`.

* The sample flow (five steps) and its polling step, as printed.
* The response-format envelope and the conversation data model, sliced verbatim: neither is
  strict JSON (notes §11), and each case records the repairs the harness applies.
* One case per documented error status (the row as printed; the answer body uses the
  documented envelope).
* The system-message list.

Re-running overwrites the fixtures, not the snapshots.
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slicing import object_at  # noqa: E402

shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
SEED = "004_6ea05412a8ed38fe.txt"
seed = open(os.path.join(shared, "seeds", SEED), encoding="utf-8").read()
out = "conformance/fixtures/directly"


def toml_value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def write(n, slug, documented, fields, tables=None):
    d = os.path.join(out, f"{n:02d}-{slug}")
    os.makedirs(d, exist_ok=True)
    lines = [f"id = {json.dumps(slug)}"] + [
        f"{k} = {json.dumps(v) if isinstance(v, list) else toml_value(v)}" for k, v in fields.items()]
    for name, table in (tables or {}).items():
        lines.append(f"\n[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
    open(os.path.join(d, "case.toml"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
    open(os.path.join(d, "documented.txt"), "w", encoding="utf-8").write(documented + "\n")


def between(start, end):
    i = seed.index(start)
    return seed[i:seed.index(end, i)].rstrip()


def line(marker):
    return next(l for l in seed.splitlines() if marker in l)


n = 0
def case(*a, **k):
    global n
    n += 1
    write(n, *a, **k)


case("sample-flow", between("  1. Get an access token", "\n\nTechnical Details"), {
    "source": SEED, "heading": "Getting started > Simple Sample Flow", "kind": "flow",
    "operation": "sample-flow", "repairs": [],
    "notes": "Token, ask (201), poll (401 -> exactly one token renewal -> 304, then 200), accept, logout. "
             "The token endpoint is not public: the defaults (oauth/token, client_credentials, form) are inferred."})
case("poll-last-checked", line("Poll for updates to the question"), {
    "source": SEED, "heading": "Getting started > Simple Sample Flow, step 3", "kind": "poll",
    "operation": "questions.get", "repairs": [],
    "notes": "lastChecked is a query parameter; 304 has no body and becomes Polled::NotModified."},
    {"poll": {"role": "answer", "shape": True}})

envelope = object_at(seed, seed.index("{", seed.index("Response Format")))
case("response-format", envelope, {
    "source": SEED, "heading": "Technical Details > Response Format", "kind": "response",
    "operation": "envelope", "repairs": ["line-comments", "unquoted-keys"],
    "notes": "Notes §11.1: `//` comments in meta, data and after `error: {`, and the unquoted key `message`. "
             "Replayed as a 400 answer: the client must read error.message."},
    {"response": {"status": 400, "rejection": "BadRequest"}})
model = object_at(seed, seed.index("{", seed.index("reduced version of the data model")))
case("conversation-data-model", model, {
    "source": SEED, "heading": "The Conversation Data Model", "kind": "response",
    "operation": "questions.get", "repairs": ["unquoted-keys", "trailing-commas"],
    "notes": "Notes §11.2: one unquoted key (`name`) and four trailing commas. The response uuid "
             "`abcd-7890` is not 8-4-4-4-12 and is kept as sent."},
    {"response": {"status": 200}})

for status, variant in [(400, "BadRequest"), (401, "Unauthorized"), (403, "Forbidden"), (404, "NotFound"),
                        (405, "MethodNotAllowed"), (500, "Internal")]:
    row = line(f"{status}: ")
    slug = {400: "invalid-request", 401: "authentication-failed", 403: "forbidden", 404: "not-found",
            405: "method-not-allowed", 500: "internal-server-error"}[status]
    body = json.dumps({"meta": {"correlationId": f"corr-{status}"}, "error": {"message": row.split(": ", 1)[1]}},
                      separators=(",", ":"))
    case(f"error-{slug}", row, {
        "source": SEED, "heading": "Technical Details > Response Codes", "kind": "error",
        "operation": "questions.get", "repairs": [],
        "notes": "The row as printed; the answer uses the documented envelope with the row's text as error.message."
                 + (" A 401 renews the token once and retries once; this one is refused again." if status == 401 else "")},
        {"response": {"status": status, "body": body, "rejection": variant}})

case("system-messages", seed[seed.index("  • NOTIFYING_EXPERTS_SYSTEM_MESSAGE"):].rstrip(), {
    "source": SEED, "heading": "System Messages", "kind": "vocabulary",
    "operation": "message-types", "repairs": [],
    "notes": "Thirteen types, each a known MessageType and a system message. The last two bullets have an "
             "unclosed backtick (notes §11.3); the names are read up to the colon."})
