#!/usr/bin/env python3
"""Writes conformance/fixtures/engage-digital/* from the seed documents.

Run from the repository root with `python3 conformance/tools/extract_engage_digital.py ../shared/seeds`.
Every `documented.txt` is a slice of a seed file, so it is exactly what the docs print. The
`case.toml` files carry what the docs leave implicit (status codes, expected variants, the
bodies the PHP and Ruby examples produce). Re-running overwrites the fixtures, not snapshots.
"""
import hashlib, hmac, json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slicing import object_at  # noqa: E402

seeds = sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds"
S001 = "001_986fd213c71920af.txt"
S003 = "003_b66ec3475080ea27.txt"
NOTES = "providers/engage-digital.md"
t001 = open(os.path.join(seeds, S001), encoding="utf-8").read()
t003 = open(os.path.join(seeds, S003), encoding="utf-8").read()
out = "conformance/fixtures/engage-digital"
SEND_TOKEN = "56e79ea426735090665b1c107c757d6d3a692c061335e4728899af27f215edf3"
DOC_TOKEN = "3YJZzqMJ5Ec7i2JGvnt8TgvleD7dtpwpmag4S6MuRA2GQdfvV4STIsxDRJ4fEjO8"


def json_blocks(text, start_marker):
    """The JSON object that starts at the first `{` after start_marker."""
    return object_at(text, text.index("{", text.index(start_marker)))


def between(text, start, end):
    i = text.index(start)
    j = text.index(end, i + len(start))
    return text[i:j]


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def write(slug, meta, documented, extra_files=None):
    d = os.path.join(out, slug)
    os.makedirs(d, exist_ok=True)
    lines = []
    for k, v in meta.items():
        if isinstance(v, dict):
            continue
        if isinstance(v, list):
            lines.append(f"{k} = [{', '.join(toml_str(x) for x in v)}]")
        elif isinstance(v, bool):
            lines.append(f"{k} = {'true' if v else 'false'}")
        elif isinstance(v, int):
            lines.append(f"{k} = {v}")
        else:
            lines.append(f"{k} = {toml_str(v)}")
    for k, v in meta.items():
        if isinstance(v, dict):
            lines.append(f"\n[{k}]")
            for k2, v2 in v.items():
                if isinstance(v2, bool):
                    lines.append(f"{k2} = {'true' if v2 else 'false'}")
                else:
                    lines.append(f"{k2} = {v2 if isinstance(v2, int) else toml_str(v2)}")
    open(os.path.join(d, "case.toml"), "w", encoding="utf-8").write("\n".join(lines) + "\n")
    open(os.path.join(d, "documented.txt"), "w", encoding="utf-8").write(documented)
    for name, content in (extra_files or {}).items():
        open(os.path.join(d, name), "w", encoding="utf-8").write(content)


n = 0


def slug(name):
    global n
    n += 1
    return f"{n:02d}-{name}"


# Requests (seed 001 is the rendered, newer page; 003 prints the same JSON inside ```json fences).
requests = [
    ("json-encoded-request-body", "JSON Encoded Request Body", "messages.create", "JSON Encoded Request Body"),
    ("create-example-request", "Create Example > Request", "messages.create", "Create Example\n\nRequest"),
    ("mark-as-read-request", "Mark as read Example > Request", "status.mark_as_read", "Mark as read Example\n\nRequest"),
    ("typing-start-request", "Typing Example > Request (start)", "typing.start", "Typing Example\n\nRequest"),
]
for name, heading, op, marker in requests:
    body = json_blocks(t001, marker)
    write(slug(name), {"id": name, "source": S001, "heading": heading, "also_in": [f"{S003}: {heading}"],
                       "kind": "request", "operation": op, "repairs": [],
                       "notes": "Strict JSON as printed; the typed client must send the same JSON value, signed."}, body + "\n")
# typing.stop is the second object after the Typing Example heading.
i = t001.index("Typing Example\n\nRequest")
first = json_blocks(t001, "Typing Example\n\nRequest")
stop = json_blocks(t001[i + t001[i:].index(first) + len(first):], "{")
write(slug("typing-stop-request"), {"id": "typing-stop-request", "source": S001, "heading": "Typing Example > Request (stop)",
                                    "also_in": [f"{S003}: Typing Example > Request (stop)"], "kind": "request",
                                    "operation": "typing.stop", "repairs": [],
                                    "notes": "Strict JSON as printed."}, stop + "\n")

# The three `ok` responses.
for name, heading, op in [("create-example-response", "Create Example > Response", "messages.create"),
                          ("mark-as-read-response", "Mark as read Example > Response", "status.mark_as_read"),
                          ("typing-response", "Typing Example > Response", "typing.start")]:
    write(slug(name), {"id": name, "source": S001, "heading": heading, "kind": "response", "operation": op,
                       "repairs": [], "notes": "Plain text `ok`, not JSON: HTTP 200 with this body is success.",
                       "response": {"status": 200}}, "ok\n")
write(slug("ok-response-in-json-fence"),
      {"id": "ok-response-in-json-fence", "source": S003, "heading": "Create Example > Response", "kind": "response",
       "operation": "messages.create", "repairs": ["code-fence"],
       "notes": "The Markdown copy prints the plain-text `ok` inside a ```json fence; the fence is not part of the body.",
       "response": {"status": 200}},
      t003[t003.index("``` json\nok\n```"):][: len("``` json\nok\n```")] + "\n")

# The 13 error rows, as the rendered page prints them (one line each).
rows = [
    ("bad-request", "Bad request", 400, "BadRequest"),
    ("invalid-request-format", "Invalid request format", 400, "InvalidRequestFormat"),
    ("invalid-request-size", "Invalid request size (max: 20971520 bytes)", 413, "RequestTooLarge"),
    ("source-not-found", "Source not found", 422, "SourceNotFound"),
    ("invalid-signature", "Invalid signature", 422, "InvalidSignature"),
    ("invalid-action", "Invalid action", 422, "InvalidAction"),
    ("invalid-resource-format", "Invalid resource format", 422, "InvalidResourceFormat"),
    ("structured-contents-unsupported", "Source doesn't support structured contents", 422, "StructuredContentNotSupported"),
    ("structured-type-required", "Type is required for structured contents", 422, "StructuredContentTypeRequired"),
    ("structured-type-unsupported", "Source doesn't support this type of structured content", 422, "StructuredContentTypeNotSupported"),
    ("structured-attribute-empty", 'structured_content: "attribute_name" must not be empty', 422, "StructuredContentAttributeEmpty"),
    ("author-not-puppetizable", "The author must be puppetizable", 422, "AuthorNotPuppetizable"),
    ("too-many-typing-requests", "too many typing requests, please try again in a few seconds", 429, "TooManyTypingRequests"),
]
for name, value, status, variant in rows:
    line = next(l for l in t001.splitlines() if l.startswith(f"{value} {status} "))
    write(slug(f"error-{name}"), {"id": f"error-{name}", "source": S001, "heading": f"Errors > {value}",
                                  "also_in": [f"{S003}: Errors"], "kind": "error", "operation": "status.mark_as_read",
                                  "repairs": [],
                                  "notes": "The docs give the text and status but not the body format: the mock answers both as plain text and as {\"error\": text}.",
                                  "response": {"status": status, "body": value, "rejection": variant}}, line + "\n")

# The typing rate limit (001 is newer; 003 still says there is no limit).
rl = between(t001, "Rate Limits", "Complete Examples").rstrip() + "\n"
write(slug("typing-rate-limit"), {"id": "typing-rate-limit", "source": S001, "heading": "Rate Limits", "kind": "rate-limit",
                                  "operation": "typing.start", "repairs": [],
                                  "notes": "Seed 003 (older draft) says there is no particular limit; 001 is the current rule. Checked client-side with TypingLimit::Reject.",
                                  "rate_limit": {"interval_ms": 2000}}, rl)

# Complete examples: their bodies differ by one space ("Nice post!" vs "Nice post !"), and PHP's
# json_encode escapes "/" as "\/" by default, so the PHP body carries 06\/11\/2017.
php_src = between(t001, "<?php", "?>") + "?>\n"
php_body = '{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06\\/11\\/2017","screenname":"Alice"},"body":"Nice post!","thread_id":"888"}}'
ruby_src = t001[t001.index("require 'faraday'"):].rstrip() + "\n"
ruby_body = '{"action":"messages.create","params":{"id":"890","author":{"id":"42","created_at":"06/11/2017","screenname":"Alice"},"body":"Nice post !","thread_id":"888"}}'
for name, src, body, heading, how in [
    ("php-complete-example", php_src, php_body, "Complete Examples > PHP",
     "Body = PHP json_encode($content): compact, and \"/\" escaped as \"\\/\" (PHP's default)."),
    ("ruby-complete-example", ruby_src, ruby_body, "Complete Examples > Ruby",
     "Body = Ruby Hash#to_json: compact, \"/\" not escaped. Same as test vector 2 of the provider notes."),
]:
    sig = hmac.new(SEND_TOKEN.encode(), body.encode(), hashlib.sha512).hexdigest()
    write(slug(name), {"id": name, "source": S001, "heading": heading, "also_in": [f"{S003}: {heading}"], "kind": "signature",
                       "operation": "messages.create", "repairs": [], "notes": how,
                       "signature": {"key": SEND_TOKEN, "body_file": "body.txt", "expected": sig}},
          src, {"body.txt": body})

# Vectors from the provider notes (§1.2).
impl_doc = '{ "action": "implementation.info", "time": "2012-10-01T17:18:40Z" }'
write(slug("implementation-info-vector"),
      {"id": "implementation-info-vector", "source": "engage-digital-api-docs: docs/sdks/source-sdk/request-response.md",
       "heading": "Signature example (quoted in providers/engage-digital.md §1.2, test vector 1)",
       "kind": "signature", "operation": "implementation.info", "repairs": [],
       "notes": "The docs print the body with spaces; only the compact form matches the published signature.",
       "signature": {"key": DOC_TOKEN, "body_file": "body.txt",
                     "expected": "826b61e7939505b2e773ef43a2aad53ec0385dd9d783fbd1c8fea00d0e2a3e2fb0ae0a5b2eb342356b61c41b5f19baec4c1f7e7e37a5b486fe9b593942017ff9"}},
      impl_doc + "\n", {"body.txt": '{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}'})
write(slug("implementation-info-answer-vector"),
      {"id": "implementation-info-answer-vector", "source": NOTES, "heading": "1.2 Signature > test vector 3",
       "kind": "signature", "operation": "implementation.info", "repairs": [],
       "notes": "A signed implementation.info answer (computed for tests, not from the docs).",
       "signature": {"key": DOC_TOKEN, "body_file": "body.txt",
                     "expected": "02314eac2984e1d8e4170899409a1bcbd3cff84519e5d75d0ba69d744d79b51fdad505e82a45c3f966b2f8b9bc2a85cd40f11d00ce4a860e116c221677321434"}},
      '{"objects":{"messages":["list","show","create"]},"options":[]}\n',
      {"body.txt": '{"objects":{"messages":["list","show","create"]},"options":[]}'})

# The polling endpoint (notes §2 and §4): requests Engage Digital sends to your Base URI,
# replayed through deskwire_engage_digital::endpoint. JSON examples are sliced from the notes;
# for actions the notes describe only as a table row or field list, the row is the documented
# text and request.json is a request built from it (the runner checks that the row names the
# action and every parameter sent).
notes = open(os.path.join(seeds, "..", NOTES), encoding="utf-8").read()
impl_req = '{"action":"implementation.info","time":"2012-10-01T17:18:40Z"}'
write(slug("poll-implementation-info"),
      {"id": "poll-implementation-info", "source": NOTES, "heading": "2.2 implementation.info > Request", "kind": "poll",
       "operation": "implementation.info", "repairs": [],
       "notes": "Replayed with the docs' published signature (vector 1); the answer is signed with the same token.",
       "poll": {"role": "request", "request_file": "request.json",
                "signature": "826b61e7939505b2e773ef43a2aad53ec0385dd9d783fbd1c8fea00d0e2a3e2fb0ae0a5b2eb342356b61c41b5f19baec4c1f7e7e37a5b486fe9b593942017ff9"}},
      impl_req + "\n", {"request.json": impl_req})
shape = notes[notes.index("```json", notes.index("### 2.2")) + len("```json\n"):]
shape = shape[: shape.index("```")]
write(slug("implementation-info-answer-shape"),
      {"id": "implementation-info-answer-shape", "source": NOTES, "heading": "2.2 implementation.info > Response shape",
       "kind": "poll", "operation": "implementation.info", "repairs": [],
       "notes": "Decodes and is served as printed. It is a shape, not a valid declaration: `<custom>` is a placeholder, and the docs forbid view.messaging with both messages and private_messages; the snapshot lists what ImplementationInfo::problems reports.",
       "poll": {"role": "answer"}}, shape)
reply = json_blocks(notes, "Docs example request:")
write(slug("poll-agent-reply-messages-create"),
      {"id": "poll-agent-reply-messages-create", "source": NOTES, "heading": "4.2 Message — what ED sends you > Docs example request",
       "kind": "poll", "operation": "messages.create", "repairs": [],
       "notes": "An agent reply as Engage Digital sends it (compact on the wire, as vector 1 shows); title is null.",
       "poll": {"role": "request", "request_file": "request.json"}},
      reply + "\n", {"request.json": json.dumps(json.loads(reply), separators=(",", ":"), ensure_ascii=False)})

def row(prefix):
    i = notes.index(prefix)
    return notes[i: notes.index("\n", i)] + "\n"

T = "2021-05-13T01:23:25Z"
for name, heading, op, documented, request in [
    ("poll-list-first-call", "2.4 Request params > list", "messages.list", row("| `<obj>.list`"),
     {"action": "messages.list", "time": T}),
    ("poll-list-since-id", "2.4 Request params > list", "threads.list", row("| `<obj>.list`"),
     {"action": "threads.list", "params": {"since_id": "131"}, "time": T}),
    ("poll-show", "2.4 Request params > show", "messages.show", row("| `<obj>.show`"),
     {"action": "messages.show", "params": {"id": "132"}, "time": T}),
    ("poll-private-message-create", "4.3 PrivateMessage > ED → you", "private_messages.create",
     row("ED → you (`private_messages.create`)"),
     {"action": "private_messages.create", "params": {"attachments": [{"url": "https://example.com/a.png", "type": "image", "filename": "a.png"}],
      "author_id": "1234", "body": "Here is the label.", "content_id": "5001", "created_at": T, "format": "text",
      "in_reply_to_id": "132", "recipient_id": "42", "retry": False, "sender_name": "Craig Chan",
      "structured_content": {"type": "select", "items": [{"title": "Yes", "payload": "yes"}]}, "updated_at": T}, "time": T}),
    ("poll-thread-create", "4.4 Thread > ED → you", "threads.create", row("ED → you (`threads.create`)"),
     {"action": "threads.create", "params": {"attachments": [], "author_id": "1234", "body": "New topic", "content_id": "5002",
      "created_at": T, "format": "text", "retry": True, "sender_name": "Craig Chan", "title": "Returns"}, "time": T}),
    ("poll-delete", "2.4 Request params > delete", "messages.delete", row("| `<obj>.delete`"),
     {"action": "messages.delete", "params": {"id": "132"}, "time": T}),
    ("poll-publish", "2.4 Request params > publish", "messages.publish", row("| `<obj>.publish`"),
     {"action": "messages.publish", "params": {"id": "132"}, "time": T}),
    ("poll-unpublish", "2.4 Request params > unpublish", "threads.unpublish", row("| `<obj>.publish`"),
     {"action": "threads.unpublish", "params": {"id": "23456"}, "time": T}),
    ("poll-custom-action", "2.4 Request params > custom", "messages.spam", row("| `<obj>.<custom>`"),
     {"action": "messages.spam", "params": {"id": "132", "user_id": "agent-7"}, "time": T}),
    ("poll-queuing-update", "2.4 Request params > messaging.queuing_update", "messaging.queuing_update",
     row("| `messaging.queuing_update`"),
     {"action": "messaging.queuing_update", "params": {"estimated_wait_time": 120, "position": 3, "thread_id": "23456",
      "in_reply_to_id": "132"}, "time": T}),
]:
    write(slug(name), {"id": name, "source": NOTES, "heading": heading, "kind": "poll", "operation": op, "repairs": [],
                       "notes": "The notes describe this request as a row, not as JSON; request.json is built from it.",
                       "poll": {"role": "request", "request_file": "request.json", "shape": True}},
          documented, {"request.json": json.dumps(request, separators=(",", ":"), ensure_ascii=False)})

print(f"wrote {n} cases to {out}")
