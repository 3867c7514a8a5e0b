#!/usr/bin/env python3
"""Writes conformance/fixtures/rake-direct/* from seed 000.

Run from the repository root with `python3 conformance/tools/extract_rake_direct.py ../shared/seeds`.
Each `documented.txt` is the JSON-like text after `-d \\` in the seed, sliced verbatim. The
`case.toml` records the repairs the notes' §6 table lists and sample values for placeholders
(by JSON pointer). Re-running overwrites the fixtures, not the snapshots.
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slicing import object_at  # noqa: E402

seeds = sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds"
SEED = "000_49cf1d8535d0af82.txt"
text = open(os.path.join(seeds, SEED), encoding="utf-8").read()
out = "conformance/fixtures/rake-direct"


def bodies(text):
    """Every `{...}` that follows `-d \\` (the JSON of each curl example)."""
    found, i = [], text.find("-d \\")
    while i >= 0:
        body = object_at(text, text.index("{", i))
        found.append(body)
        i = text.find("-d \\", text.index(body, i) + len(body))
    return found


URL = '"https://crm.example.com/rake"'
CASES = [
    ("transactional-sms", "Send Transactional, Reminder, or Marketing Messages", "outbound",
     ["unquoted-keys"], {}),
    ("system-event-notification", "System Event Notifications", "post",
     ["optional-key-markers", "trailing-commas"], {}),
    ("third-party-chat-create-session", "Create a session with a 3rd Party chat system", "open-session",
     ["placeholders"], {"/platformIds/0": "1", "/returnWebhookUrl": URL}),
    ("third-party-chat-reply", "Create a session with a 3rd Party chat system > answer", "post",
     ["optional-key-markers", "placeholders", "trailing-commas"],
     {"/sessionId": "13731", "/initiatingEntity/entityId": "21"}),
    ("custom-widget-create-session", "Add your custom widget to the Rake system", "open-session",
     [], {"/returnWebhookUrl": URL}),
    ("custom-widget-reply", "Add your custom widget to the Rake system > answer", "post",
     ["optional-key-markers", "placeholders", "trailing-commas"],
     {"/sessionId": "13731", "/initiatingEntity/entityId": "21"}),
]

found = bodies(text)
assert len(found) == len(CASES), f"{len(found)} bodies in the seed"
for n, ((slug, heading, op, repairs, samples), body) in enumerate(zip(CASES, found), 1):
    d = os.path.join(out, f"{n:02d}-{slug}")
    os.makedirs(d, exist_ok=True)
    lines = [
        f"id = {json.dumps(slug)}",
        f"source = {json.dumps(SEED)}",
        f"heading = {json.dumps(heading)}",
        'kind = "request"',
        f"operation = {json.dumps(op)}",
        f"repairs = [{', '.join(json.dumps(r) for r in repairs)}]",
        "notes = " + json.dumps("Repairs as the provider notes' §6 table lists them; samples replace placeholders before the typed API reads the body."),
    ]
    if samples:
        lines.append("\n[samples]")
        lines += [f"{json.dumps(k)} = {v}" for k, v in samples.items()]
    open(os.path.join(d, "case.toml"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
    open(os.path.join(d, "documented.txt"), "w", encoding="utf-8").write(body + "\n")
print(f"wrote {len(CASES)} cases to {out}")
