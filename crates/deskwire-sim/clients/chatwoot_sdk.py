#!/usr/bin/env python3
"""Drive a Chatwoot-compatible Application API with the published `chatwoot-sdk`
(PyPI, 0.2.0; import name `chatwoot`). No raw HTTP: every request goes through the SDK.

Input: ONE JSON line, from the file named by the first argument, or from stdin:
  {"provider":"chatlake","base_url":"http://127.0.0.1:PORT",
   "credentials":{"api_access_token":"...","account_id":1,"inbox_id":2}}

Steps: create contact (in the API inbox) -> show contact -> list contacts ->
create conversation -> show conversation -> list conversations ->
contact's conversations -> create message -> list messages.
Each step prints one line; the first failure prints FAIL and exits 1
(2 for bad input). `--skip NAME` (repeatable) skips a read-back step:
contacts_list, conversations_list, contact_conversations.
"""
import json
import sys
import time
import uuid

from chatwoot import ChatwootClient, ChatwootError
from pydantic import ValidationError

MAX_PAGES = 50  # bound on list pagination while looking for what we created


class Mismatch(Exception):
    pass


def check(label, got, want):
    if got != want:
        raise Mismatch(f"{label}: got {got!r}, want {want!r}")


def step(name, detail=""):
    print(f"ok   {name}{(': ' + detail) if detail else ''}", flush=True)


def read_input(argv):
    args = list(argv)
    skip, path, i = set(), None, 0
    while i < len(args):
        if args[i] == "--skip" and i + 1 < len(args):
            skip.add(args[i + 1]); i += 2
        else:
            path = args[i]; i += 1
    if path and path != "-":
        with open(path, encoding="utf-8") as f:
            line = f.readline()
    else:
        line = sys.stdin.readline()
    cfg = json.loads(line)
    creds = cfg["credentials"]
    return cfg["base_url"], creds["api_access_token"], int(creds["account_id"]), int(creds["inbox_id"]), skip


def find_paged(fetch_page, match):
    """Call fetch_page(page) for page = 1.. until match(item) or an empty page."""
    for page in range(1, MAX_PAGES + 1):
        items = fetch_page(page)
        for item in items:
            if match(item):
                return item, page
        if not items:
            break
    return None, None


def run(base_url, token, account_id, inbox_id, skip):
    tag = f"{int(time.time())}-{uuid.uuid4().hex[:8]}"
    name = f"Driver Contact {tag}"
    email = f"driver-{tag}@example.com"
    identifier = f"driver-{tag}"
    content = f"Hello from chatwoot-sdk driver {tag}"

    with ChatwootClient(base_url=base_url, api_token=token, timeout=15.0) as cw:
        # 1. create a contact in the API inbox
        created = cw.contacts.create(
            account_id=account_id, inbox_id=inbox_id,
            name=name, email=email, identifier=identifier,
        )
        contact = created.contact
        check("create contact: name", contact.name, name)
        check("create contact: email", contact.email, email)
        check("create contact: identifier", contact.identifier, identifier)
        source_id = created.contact_inbox.source_id
        if not source_id:
            raise Mismatch("create contact: contact_inbox.source_id is empty")
        step("create contact", f"id={contact.id} source_id={source_id}")

        # 2a. show the contact
        shown = cw.contacts.get(account_id=account_id, contact_id=contact.id)
        check("show contact: id", shown.id, contact.id)
        check("show contact: name", shown.name, name)
        check("show contact: email", shown.email, email)
        check("show contact: identifier", shown.identifier, identifier)
        step("show contact", f"id={shown.id} contact_inboxes={[ci.source_id for ci in shown.contact_inboxes]}")

        # 2b. list contacts (paged) until ours appears
        if "contacts_list" not in skip:
            found, page = find_paged(
                lambda p: cw.contacts.list(account_id=account_id, page=p),
                lambda c: c.id == contact.id)
            if found is None:
                raise Mismatch(f"list contacts: contact {contact.id} not found in {MAX_PAGES} pages")
            check("list contacts: name", found.name, name)
            check("list contacts: email", found.email, email)
            check("list contacts: identifier", found.identifier, identifier)
            step("list contacts", f"found id={found.id} on page {page}")

        # 3. create a conversation for that contact_inbox
        conv = cw.conversations.create(
            account_id=account_id, source_id=source_id,
            inbox_id=inbox_id, contact_id=contact.id,
        )
        check("create conversation: inbox_id", conv.inbox_id, inbox_id)
        check("create conversation: account_id", conv.account_id, account_id)
        if conv.meta is not None and conv.meta.sender is not None:
            check("create conversation: meta.sender.id", conv.meta.sender.id, contact.id)
        step("create conversation", f"id={conv.id} status={conv.status.value}")

        # 4a. show the conversation
        got = cw.conversations.get(account_id=account_id, conversation_id=conv.id)
        check("show conversation: id", got.id, conv.id)
        check("show conversation: inbox_id", got.inbox_id, inbox_id)
        if got.meta is None or got.meta.sender is None:
            raise Mismatch("show conversation: meta.sender missing")
        check("show conversation: meta.sender.id", got.meta.sender.id, contact.id)
        check("show conversation: meta.sender.email", got.meta.sender.email, email)
        step("show conversation", f"id={got.id} sender={got.meta.sender.id}")

        # 4b. list conversations (status=open, this inbox) until ours appears
        if "conversations_list" not in skip:
            found, page = find_paged(
                lambda p: cw.conversations.list(account_id=account_id, status=conv.status.value,
                                                assignee_type="all", page=p, inbox_id=inbox_id),
                lambda c: c.id == conv.id)
            if found is None:
                raise Mismatch(f"list conversations: conversation {conv.id} not found")
            check("list conversations: inbox_id", found.inbox_id, inbox_id)
            step("list conversations", f"found id={found.id} on page {page}")

        # 4c. the contact's conversations
        if "contact_conversations" not in skip:
            convs = cw.contacts.conversations(account_id=account_id, contact_id=contact.id)
            if conv.id not in [c.id for c in convs]:
                raise Mismatch(f"contact conversations: {conv.id} not in {[c.id for c in convs]}")
            step("contact conversations", f"ids={[c.id for c in convs]}")

        # 3b. create a message in the conversation
        msg = cw.messages.create(
            account_id=account_id, conversation_id=conv.id,
            content=content, message_type="outgoing", private=False,
        )
        check("create message: content", msg.content, content)
        check("create message: conversation_id", msg.conversation_id, conv.id)
        if msg.message_type not in (1, "outgoing"):
            raise Mismatch(f"create message: message_type {msg.message_type!r}, want 1 or 'outgoing'")
        check("create message: private", msg.private, False)
        step("create message", f"id={msg.id} message_type={msg.message_type!r}")

        # 4d. list messages and find ours
        msgs = cw.messages.list(account_id=account_id, conversation_id=conv.id)
        mine = [m for m in msgs if m.id == msg.id]
        if not mine:
            raise Mismatch(f"list messages: message {msg.id} not in {[m.id for m in msgs]}")
        check("list messages: content", mine[0].content, content)
        check("list messages: conversation_id", mine[0].conversation_id, conv.id)
        step("list messages", f"{len(msgs)} message(s), ours id={msg.id}")
    print("PASS", flush=True)


def main():
    try:
        base_url, token, account_id, inbox_id, skip = read_input(sys.argv[1:])
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"FAIL bad input: {e!r}", flush=True)
        return 2
    try:
        run(base_url, token, account_id, inbox_id, skip)
    except Mismatch as e:
        print(f"FAIL mismatch: {e}", flush=True); return 1
    except ValidationError as e:
        print(f"FAIL the SDK could not parse a response: {e}", flush=True); return 1
    except ChatwootError as e:
        print(f"FAIL API error: {type(e).__name__}: {e}", flush=True); return 1
    except Exception as e:  # transport errors etc.
        print(f"FAIL {type(e).__name__}: {e}", flush=True); return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
