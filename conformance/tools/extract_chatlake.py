#!/usr/bin/env python3
"""Writes conformance/fixtures/chatlake/* from seed 002 and the provider notes.

Run from the repository root with `python3 conformance/tools/extract_chatlake.py ../shared`.

* The seed's six JSON blocks (three requests, three answers), sliced verbatim.
* The real answer shapes printed in `providers/chatlake.md` (create contact, message,
  conversation) and the two webhook payloads.
* One case per row of the notes' error table the client must map (documented text = the row).
* Webhook signature cases over the `message_created` payload: the expected signature is
  computed here with Python's own hmac module, independently of the crate.

Re-running overwrites the fixtures, not the snapshots.
"""
import hashlib, hmac, json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slicing import object_at  # noqa: E402

shared = sys.argv[1] if len(sys.argv) > 1 else "../shared"
SEED = "002_f0bdc24e392670fb.txt"
NOTES = "providers/chatlake.md"
seed = open(os.path.join(shared, "seeds", SEED), encoding="utf-8").read()
notes = open(os.path.join(shared, NOTES), encoding="utf-8").read()
out = "conformance/fixtures/chatlake"

SECRET = "x5Rk3n9PqT2vWb7YcL4mZs8D"  # a sample webhook secret: 24 base58 characters
TS = 1763706087


def seed_blocks():
    found, i = [], seed.find("{")
    while i >= 0:
        block = object_at(seed, i)
        found.append(block)
        i = seed.find("{", i + len(block))
    return found


def notes_block(after):
    """The JSON block of the first ```json fence after the text `after`."""
    i = notes.index(after)
    return object_at(notes, notes.index("{", notes.index("```json", i)))


def row(marker):
    line = next(l for l in notes.splitlines() if marker in l)
    return line


def toml_value(v):
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    return str(v)


def write(n, slug, documented, fields, tables=None, files=None):
    d = os.path.join(out, f"{n:02d}-{slug}")
    os.makedirs(d, exist_ok=True)
    lines = [f"id = {json.dumps(slug)}"] + [f"{k} = {toml_value(v) if not isinstance(v, list) else json.dumps(v)}" for k, v in fields.items()]
    for name, table in (tables or {}).items():
        lines.append(f"\n[{name}]")
        lines += [f"{json.dumps(k) if k.startswith('/') else k} = {toml_value(v)}" for k, v in table.items()]
    open(os.path.join(d, "case.toml"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
    open(os.path.join(d, "documented.txt"), "w", encoding="utf-8").write(documented + "\n")
    for name, data in (files or {}).items():
        open(os.path.join(d, name), "wb").write(data)


blocks = seed_blocks()
assert len(blocks) == 6, f"{len(blocks)} JSON blocks in the seed"
contact_req, contact_res, conv_req, conv_res, msg_req, msg_res = blocks

n = 0
def case(*a, **k):
    global n
    n += 1
    write(n, *a, **k)

SAMPLE_NOTE = "The seed's \"string\" values are placeholders; samples give them realistic values (ids as integers, as the server stores them: notes §8 #4)."
case("seed-create-contact-request", contact_req, {
    "source": SEED, "heading": "1. Create a contact > Request format", "kind": "request",
    "operation": "contacts.create", "repairs": [], "notes": SAMPLE_NOTE},
    {"samples": {"/inbox_id": 2, "/name": "Alice", "/email": "alice@example.com", "/phone_number": "+15550001",
                 "/avatar_url": "https://cdn.example.com/alice.png", "/identifier": "ext-1"}})
case("seed-create-contact-response", contact_res, {
    "source": SEED, "heading": "1. Create a contact > sample response", "kind": "response",
    "operation": "contacts.create", "repairs": [],
    "notes": "The seed's flat contact; real servers wrap it in {payload:{contact, contact_inbox}} (notes §8 #1)."},
    {"response": {"status": 200}})
case("seed-create-conversation-request", conv_req, {
    "source": SEED, "heading": "2. Create a conversation > Request format", "kind": "request",
    "operation": "conversations.create", "repairs": [], "notes": SAMPLE_NOTE},
    {"samples": {"/source_id": "a3e1c1b2-5f7e-4e0a-9d4c-2b1f9b1d4a10", "/inbox_id": 2, "/contact_id": 1,
                 "/assignee_id": 3, "/team_id": 4}})
case("seed-create-conversation-response", conv_res, {
    "source": SEED, "heading": "2. Create a conversation > conversation id", "kind": "response",
    "operation": "conversations.create", "repairs": [],
    "notes": "The seed's {id}; real servers answer the whole conversation (notes §8 #3)."},
    {"response": {"status": 200}})
case("seed-create-message-request", msg_req, {
    "source": SEED, "heading": "3. Create a new message > Request format", "kind": "request",
    "operation": "messages.create", "repairs": [],
    "notes": "content_type cards with empty content_attributes: the server answers 422 'At least one item is required.', so the client refuses it before sending.",
    "refused": "content_attributes.items"})
case("seed-create-message-response", msg_res, {
    "source": SEED, "heading": "3. Create a new message > payload", "kind": "response",
    "operation": "messages.create", "repairs": [],
    "notes": "message_type is the REST integer; content_type null as the seed prints it."},
    {"response": {"status": 200}})

case("real-create-contact-response", notes_block("**Real response**"), {
    "source": NOTES, "heading": "3.1 Create contact > Real response", "kind": "response",
    "operation": "contacts.create", "repairs": [], "notes": "The wrapped answer real servers send."},
    {"response": {"status": 200}})
case("real-message-response", notes_block("Response (`app/views/api/v1/models/_message.json.jbuilder`"), {
    "source": NOTES, "heading": "3.3 Create message > Response", "kind": "response",
    "operation": "messages.create", "repairs": [], "notes": "message_type as the REST integer."},
    {"response": {"status": 200}})
case("real-conversation", notes_block("### 3.6 Conversation object"), {
    "source": NOTES, "heading": "3.6 Conversation object (REST)", "kind": "response",
    "operation": "conversations.create", "repairs": [],
    "notes": "Unix integers, the float updated_at and null snoozed_until in one object."},
    {"response": {"status": 200}})

message_created = notes_block("**message_created / message_updated**")
case("webhook-message-created", message_created, {
    "source": NOTES, "heading": "5.2 Payload shapes > message_created", "kind": "webhook",
    "operation": "message_created", "repairs": [],
    "notes": "`conversation: {}` stands for the push data printed below it; the sample gives its id."},
    {"samples": {"/conversation": {"id": 7, "status": "open"}}})
case("webhook-conversation-updated", notes_block("**conversation_created / conversation_updated"), {
    "source": NOTES, "heading": "5.2 Payload shapes > conversation_updated", "kind": "webhook",
    "operation": "conversation_updated", "repairs": [], "notes": "changed_attributes as one-key objects."})

ERRORS = [
    ("error-invalid-access-token", "Invalid Access Token", 401, "Unauthorized", "error"),
    ("error-not-signed-in", "You need to sign in or sign up", 401, "Unauthorized", "errors"),
    ("error-resource-not-found", "Resource could not be found", 404, "NotFound", "error"),
    ("error-param-missing", "param is missing", 422, "Unprocessable", "error"),
    ("error-model-validation", "Email has already been taken", 422, "Unprocessable", "invalid"),
    ("error-status-update-forbidden", "only allowed for API inboxes", 403, "Forbidden", "error"),
    ("error-rate-limited", "Retry later", 429, "RateLimited", "text"),
]
for slug, marker, status, variant, shape in ERRORS:
    text = row(marker)
    if status == 429:
        body = "Retry later"
    else:
        start = text.index("`{") + 1
        body = text[start:text.index("}`", start) + 1]
    case(slug, text, {"source": NOTES, "heading": "1.1 Error bodies", "kind": "error",
                      "operation": "conversations.get", "repairs": [], "notes": f"Body shape: {shape}."},
         {"response": {"status": status, "body": body, "rejection": variant}})

recipe = row("**Recipe**")
body = json.dumps(json.loads(message_created.replace('"conversation":{}', '"conversation":{"id":7}')), separators=(",", ":")).encode()
def sig(key, msg):
    return hmac.new(key.encode(), msg, hashlib.sha256).hexdigest()
expected = sig(SECRET, f"{TS}.".encode() + body)
SIGNATURES = [
    ("signature-valid", "the delivery as the server signs it", "secret", TS + 13, "accepted"),
    ("signature-wrong-secret", "signed with another secret", "other-secret", TS + 13, "mismatch"),
    ("signature-stale", "authentic but 301 s old", "secret", TS + 301, "stale"),
    ("signature-from-the-future", "authentic but dated 301 s ahead", "secret", TS - 301, "from-the-future"),
    ("signature-body-only", "the common mistake: the body signed without the timestamp", "body-only", TS, "signed-without-timestamp"),
]
for slug, what, sign_with, now, expect in SIGNATURES:
    presented = {"secret": expected, "other-secret": sig("another-secret", f"{TS}.".encode() + body),
                 "body-only": sig(SECRET, body)}[sign_with]
    case(slug, recipe, {"source": NOTES, "heading": "5.3 Signatures", "kind": "signature",
                        "operation": "webhook.verify", "repairs": [], "notes": what.capitalize() + "."},
         {"signature": {"key": SECRET, "body_file": "body.json", "expected": expected},
          "webhook": {"timestamp": TS, "now": now, "presented": presented, "expect": expect}},
         files={"body.json": body})
print(f"wrote {n} cases to {out}")
