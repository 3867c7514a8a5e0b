"""Slicing documentation text: the helpers every extract_*.py script shares."""


def object_at(text, start):
    """The `{...}` that opens at `text[start]`, by brace matching outside JSON strings.

    Returns the slice verbatim (whatever repairs it may need), so a fixture is exactly what
    the document prints.
    """
    assert text[start] == "{", text[start : start + 20]
    depth, in_str, esc = 0, False, False
    for j in range(start, len(text)):
        c = text[j]
        if in_str:
            if esc:
                esc = False
            elif c == "\\":
                esc = True
            elif c == '"':
                in_str = False
            continue
        if c == '"':
            in_str = True
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[start : j + 1]
    raise ValueError(f"unbalanced object at {start}")
