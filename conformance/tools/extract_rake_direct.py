#!/usr/bin/env python3
"""Writes conformance/fixtures/rake-direct/* from seed 000.

Run from the repository root with `python3 conformance/tools/extract_rake_direct.py ../shared/seeds`.
Each `documented.txt` is the JSON-like text after `-d \\` in the seed, sliced verbatim. The
`case.toml` records the repairs the notes' §6 table lists and sample values for placeholders
(by JSON pointer). Re-running overwrites the fixtures, not the snapshots.
"""
import json, os, sys

seeds = sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds"
SEED = "000_49cf1d8535d0af82.txt"
text = open(os.path.join(seeds, SEED), encoding="utf-8").read()
out = "conformance/fixtures/rake-direct"


def bodies(text):
    """Every `{...}` that follows `-d \\`, by brace matching outside strings."""
    found, i = [], 0
    while True:
        i = text.find("-d \\", i)
        if i < 0:
            return found
        start = text.index("{", i)
        depth, in_str, esc = 0, False, False
        for j in range(start, len(text)):
            c = text[j]
            if in_str:
                esc = (not esc) and c == "\\"
                if c == '"' and not esc:
                    in_str = False
                continue
            if c == '"':
                in_str = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    found.append(text[start : j + 1])
                    i = j
                    break


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
