"""Stack-trace text → X-Ray exception frames (contrib ``translator/cause.go`` ``fill*Stacktrace``).

One parser per ``telemetry.sdk.language``: Java (also PHP, whose SDK prints Java-style traces),
Python, JavaScript, .NET and Go, each reproducing the exporter's line rules, including its quirks
(Python is read bottom-up and chained through "During handling of the above exception…"; Java
through "Caused by:"; a Go trace carries the previous frame's path forward when a line does not
parse). Where the Go code would panic on malformed input (slicing past the end), these parsers
yield empty text instead. Frames are ``{"path", "line", "label"}`` dicts; chained exceptions are
appended to the list and linked with ``cause``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Exception_ = dict[str, Any]
NewId = Callable[[], str]

_INT64_MAX = 2**63 - 1
_ATOI = re.compile(r"[+-]?[0-9]+")
_GO_PATH_LINE = re.compile(r"([^:\t\n\f\r ]+):([0-9]+)")
_GO_GOROUTINE = re.compile(r"^goroutine.*\brunning\b.*:$", re.ASCII)
_PY_CHAIN = "During handling of the above exception, another exception occurred:"


def go_atoi(text: str) -> int:
    """Go ``strconv.Atoi``: 0 for non-numbers, clamped to int64 on overflow."""
    if _ATOI.fullmatch(text) is None:
        return 0
    return max(-_INT64_MAX - 1, min(_INT64_MAX, int(text)))


def _lines(text: str) -> list[str]:
    """Lines as Go's ``textproto.Reader.ReadLine`` yields them (``\\n`` or ``\\r\\n`` ends)."""
    parts = text.split("\n")
    ended = [part[:-1] if part.endswith("\r") else part for part in parts[:-1]]
    if parts[-1]:
        ended.append(parts[-1])
    return ended


def _frame(path: str, line: int, label: str) -> dict[str, Any]:
    return {"path": path, "line": line, "label": label}


def _chain(exceptions: list[Exception_], current: Exception_, kind: str, message: str,
           new_id: NewId) -> Exception_:
    chained: Exception_ = {"id": new_id(), "message": message, "type": kind}
    if "remote" in exceptions[0]:
        chained["remote"] = exceptions[0]["remote"]
    exceptions.append(chained)
    current["cause"] = chained["id"]
    return chained


def _java_frame(line: str) -> dict[str, Any] | None:
    paren = line.find("(")
    if paren < 0 or line[-1] != ")":
        return None
    label = line[4:paren]
    slash = label.find("/")
    if slash >= 0:  # class loader or Java module prefix
        label = label[slash + 1:]
    path = line[paren + 1:-1]
    number = 0
    colon = path.find(":")
    if colon >= 0:
        number = go_atoi(path[colon + 1:])
        path = path[:colon]
    return _frame(path, number, label)


def fill_java(stacktrace: str, exceptions: list[Exception_], new_id: NewId) -> None:
    """Java (and PHP): ``\\tat label(path:line)`` frames, ``Caused by: T: msg`` chains."""
    lines = _lines(stacktrace)
    if len(lines) < 2:
        return
    current = exceptions[0]
    index = 1
    while True:
        line = lines[index] if index < len(lines) else ""
        if line.startswith("\tat "):
            frame = _java_frame(line)
            if frame is not None:
                current.setdefault("stack", []).append(frame)
        elif line.startswith("Caused by: "):
            kind = line[len("Caused by: "):]
            message = ""
            colon = kind.find(":")
            if colon >= 0:
                message, kind = kind[colon + 2:], kind[:colon]
            index += 1
            while index < len(lines):  # the message may span lines until the next frame
                peek = lines[index]
                if peek.startswith("\tat ") and "(" in peek and peek[-1] == ")":
                    break
                message += peek
                index += 1
            current = _chain(exceptions, current, kind, message, new_id)
            if index >= len(lines):
                break
            continue
        index += 1
        if index >= len(lines):
            break


def fill_python(stacktrace: str, exceptions: list[Exception_], new_id: NewId) -> None:
    """Python tracebacks, read from the bottom; chained by "During handling of…"."""
    lines = stacktrace.split("\n")
    index = len(lines) - 2  # the last line is the "Type: message" line
    if index < 0:
        return
    current = exceptions[0]
    while True:
        line = lines[index]
        if line.startswith("  File "):
            parts = line.split(",")
            if len(parts) == 3:
                path = parts[0][8:-1]
                number = go_atoi(parts[1][6:]) if parts[1].startswith(" line ") else 0
                label = parts[2][4:] if parts[2].startswith(" in ") else ""
                current.setdefault("stack", []).append(_frame(path, number, label))
        elif line.startswith(_PY_CHAIN):
            file_index = index - 1
            while file_index >= 0 and not lines[file_index].startswith("  File "):
                file_index -= 1
            if file_index < 0:
                return  # no frame line before the separator: malformed
            # The message starts two lines below that frame line and ends two lines above the separator.
            message = "\n".join(lines[file_index + 2:index - 1])
            colon = message.find(":")
            if colon < 0:
                return
            current = _chain(exceptions, current, message[:colon], message[colon + 2:], new_id)
            index = file_index
            continue
        index -= 1
        if index < 0:
            return


def _js_frame(line: str) -> dict[str, Any] | None:
    paren = line.find("(")
    label = path = ""
    number = 0
    if paren >= 0 and line[-1] == ")":
        label, path = line[7:paren], line[paren + 1:-1]
    elif paren < 0:
        path = line[7:]
    first = path.find(":")
    second = path.find(":", first + 1) if first >= 0 else -1
    if first >= 0 and second >= 0:
        number = go_atoi(path[first + 1:second])
        path = path[:first]
    elif first < 0 and "native" in path:
        path = "native"
    if path or label or number:
        return _frame(path, number, label)
    return None


def fill_javascript(stacktrace: str, exceptions: list[Exception_], new_id: NewId) -> None:
    """Node.js: ``    at label (path:line:col)`` or ``    at path:line:col``."""
    lines = _lines(stacktrace)
    if len(lines) < 2:
        return
    for line in lines[1:]:
        if line.startswith("    at "):
            frame = _js_frame(line)
            if frame is not None:
                exceptions[0].setdefault("stack", []).append(frame)


def _dotnet_frame(line: str) -> dict[str, Any] | None:
    if " in " in line:
        parts = line.split(" in ")
        label, path, number = parts[0][3:], parts[1], 0
        colon = path.rfind(":")
        if colon >= 0:
            text = path[colon + 1:]
            if text.startswith("line"):
                text = text[5:]
            path, number = path[:colon], go_atoi(text)
        return _frame(path, number, label)
    close = line.rfind(")")
    if close >= 0:
        return _frame("", 0, line[3:close + 1])
    return None


def fill_dotnet(stacktrace: str, exceptions: list[Exception_], new_id: NewId) -> None:
    """.NET: ``at Label in path:line N`` or ``at Label(...)`` without a path."""
    lines = _lines(stacktrace)
    if len(lines) < 2:
        return
    for raw in lines[1:]:
        line = raw.strip()
        if line.startswith("at "):
            frame = _dotnet_frame(line)
            if frame is not None:
                exceptions[0].setdefault("stack", []).append(frame)


def fill_go(stacktrace: str, exceptions: list[Exception_], new_id: NewId) -> None:
    """Go: an optional ``goroutine N [running]:`` line, then (function, ``file:line``) pairs."""
    lines = _lines(stacktrace)
    if len(lines) < 2:
        return
    stack: list[dict[str, Any]] = []
    exceptions[0]["stack"] = stack  # a Go trace always yields at least one frame
    index, path, number = 1, "", 0

    def read() -> str:
        nonlocal index
        index += 1
        return lines[index] if index < len(lines) else ""

    line = lines[1]
    while True:
        if _GO_GOROUTINE.match(line):
            line = read()
        label = line
        line = read()
        match = _GO_PATH_LINE.search(line)
        if match:  # path and line persist from the previous frame otherwise (as upstream)
            path, number = match.group(1), go_atoi(match.group(2))
        stack.append(_frame(path, number, label))
        line = read()
        if index >= len(lines):
            return


FILLERS: dict[str, Callable[[str, list[Exception_], NewId], None]] = {
    "java": fill_java,
    "php": fill_java,
    "python": fill_python,
    "javascript": fill_javascript,
    "dotnet": fill_dotnet,
    "go": fill_go,
}
