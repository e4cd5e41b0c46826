"""Stack-trace parsing per language; vectors from contrib ``exporter/awsxrayexporter/internal/translator/cause_test.go``."""

from __future__ import annotations

from typing import Any

import pytest

from otelray.translate.to_xray.stacktrace import FILLERS, go_atoi
from tests.unit.translate.to_xray.golden import counter_ids

JAVA_HEAD = (
    "java.lang.IllegalStateException: state is not legal\n"
    "\tat io.opentelemetry.sdk.trace.RecordEventsReadableSpanTest.recordException(RecordEventsReadableSpanTest.java:626)\n"
    "\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke0(Native Method)\n"
    "\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)"
)
JAVA_HEAD_FRAMES = [
    ("RecordEventsReadableSpanTest.java", 626, "io.opentelemetry.sdk.trace.RecordEventsReadableSpanTest.recordException"),
    ("Native Method", 0, "jdk.internal.reflect.NativeMethodAccessorImpl.invoke0"),
    ("NativeMethodAccessorImpl.java", 62, "jdk.internal.reflect.NativeMethodAccessorImpl.invoke"),
]
PY_MAIN = (
    "Traceback (most recent call last):\n"
    '  File "main.py", line 14, in <module>\n'
    "    greet_many(['Chad', 'Dan', 1])\n"
    '  File "greetings.py", line 12, in greet_many\n'
    "    print('hi, ' + person)\n"
    "TypeError: must be str, not int"
)
PY_CAUSE = (
    "Traceback (most recent call last):\n"
    '  File "bar.py", line 10, in greet_many\n'
    "    greet(person)\n"
    '  File "foo.py", line 5, in greet\n'
    "    print(greeting + ', ' + who_to_greet(someone))\n"
)
PY_CHAIN = "\n\nDuring handling of the above exception, another exception occurred:\n\n"


def parse(language: str, stacktrace: str) -> list[dict[str, Any]]:
    exceptions: list[dict[str, Any]] = [{"id": "0000000000000000", "message": "m", "type": "T", "remote": True}]
    FILLERS[language](stacktrace, exceptions, counter_ids())
    return exceptions


def frames(exception: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["label"]) for f in exception.get("stack", [])]


def test_java_frames_and_caused_by_without_stack() -> None:
    exceptions = parse("java", JAVA_HEAD + "\nCaused by: java.lang.IllegalArgumentException: bad argument")
    assert frames(exceptions[0]) == JAVA_HEAD_FRAMES
    assert exceptions[0]["cause"] == exceptions[1]["id"] == "0000000000000001"
    assert exceptions[1] == {"id": "0000000000000001", "message": "bad argument",
                             "type": "java.lang.IllegalArgumentException", "remote": True}


def test_java_skips_common_frames_suppressed_and_malformed_lines() -> None:
    stacktrace = JAVA_HEAD + (
        "\n\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62)afaefaef"
        "\n\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke"
        "\n\tat java.base/jdk.internal.reflect.NativeMethodAccessorImpl.invoke(NativeMethodAccessorImpl.java:62"
        "\n\tat java.base/java.util.ArrayList.forEach(ArrayList.java:)"
        "\n\tSuppressed: Resource$CloseFailException: Resource ID = 2\n\t\tat Resource.close(Resource.java:26)\t"
        "\n\t\tat Foo3.main(Foo3.java:5)"
        "\nCaused by: java.lang.IllegalArgumentException: bad argument"
        "\n\tat org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute(ThrowableCollector.java:73)"
        "\n\tat org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively(NodeTestTask.java)"
        "\n\t... 99 more"
    )
    exceptions = parse("java", stacktrace)
    assert frames(exceptions[0]) == [*JAVA_HEAD_FRAMES, ("ArrayList.java", 0, "java.util.ArrayList.forEach")]
    assert frames(exceptions[1]) == [
        ("ThrowableCollector.java", 73, "org.junit.platform.engine.support.hierarchical.ThrowableCollector.execute"),
        ("NodeTestTask.java", 0, "org.junit.platform.engine.support.hierarchical.NodeTestTask.executeRecursively"),
    ]


def test_php_uses_java_rules_with_multiple_causes() -> None:
    stacktrace = (
        "Exception: Thrown from class C\n\tat C.exc(test.php:74)\n\tat main(test.php:89)\n"
        "Caused by: Exception: Thrown from class B\n\tat B.exc(test.php:59)\n\tat C.exc(test.php:71)\n\t... 3 more\n"
        "Caused by: Exception: Thrown from class A\n\tat A.exc(test.php:48)\n\tat B.exc(test.php:56)\n\t... 4 more"
    )
    exceptions = parse("php", stacktrace)
    assert [e["message"] for e in exceptions] == ["m", "Thrown from class B", "Thrown from class A"]
    assert exceptions[0]["cause"] == exceptions[1]["id"] and exceptions[1]["cause"] == exceptions[2]["id"]
    assert frames(exceptions[0]) == [("test.php", 74, "C.exc"), ("test.php", 89, "main")]
    assert frames(exceptions[2]) == [("test.php", 48, "A.exc"), ("test.php", 56, "B.exc")]


def test_python_frames_innermost_first() -> None:
    exceptions = parse("python", PY_MAIN)
    assert len(exceptions) == 1
    assert frames(exceptions[0]) == [("greetings.py", 12, "greet_many"), ("main.py", 14, "<module>")]


@pytest.mark.parametrize(("cause_text", "message"), [
    ("ValueError: bad value", "bad value"),
    ("ValueError: bad value\nwith more on\nnew lines", "bad value\nwith more on\nnew lines"),
])
def test_python_chained_exception(cause_text: str, message: str) -> None:
    exceptions = parse("python", PY_CAUSE + cause_text + PY_CHAIN + PY_MAIN)
    assert frames(exceptions[0]) == [("greetings.py", 12, "greet_many"), ("main.py", 14, "<module>")]
    assert exceptions[1]["type"] == "ValueError" and exceptions[1]["message"] == message
    assert exceptions[0]["cause"] == exceptions[1]["id"]
    assert frames(exceptions[1]) == [("foo.py", 5, "greet"), ("bar.py", 10, "greet_many")]


@pytest.mark.parametrize("stacktrace", [
    "Traceback (most recent call last):\nValueError: bad value" + PY_CHAIN + PY_MAIN,
    PY_CAUSE + "ValueError bad value" + PY_CHAIN + PY_MAIN,
])
def test_python_malformed_cause_stops_parsing(stacktrace: str) -> None:
    exceptions = parse("python", stacktrace)
    assert len(exceptions) == 1
    assert frames(exceptions[0]) == [("greetings.py", 12, "greet_many"), ("main.py", 14, "<module>")]


def test_python_malformed_frame_lines() -> None:
    stacktrace = (
        "Traceback (most recent call last):\n"
        '  File "main.py", line 14 in <module>\n    x\n'
        '  File "main.py", lin 14, in <module>\n    x\n'
        '  File "main.py", line 14, fin <module>\n    x\n'
        '  File "greetings.py", line 12, in greet_many\n    x\n'
        "TypeError: must be str, not int"
    )
    assert frames(parse("python", stacktrace)[0]) == [
        ("greetings.py", 12, "greet_many"), ("main.py", 14, ""), ("main.py", 0, "<module>"),
    ]


def test_javascript_frames() -> None:
    stacktrace = (
        "TypeError: Cannot read property 'value' of null\n"
        "    at speedy (/home/gbusey/file.js:6:11)\n    at makeFaster (/home/gbusey/file.js:5:3)\n"
        "    at Object.<anonymous> (/home/gbusey/file.js:10:1)\n    at node.js:906:3\n"
        "    at Array.forEach (native)\n    at native"
    )
    assert frames(parse("javascript", stacktrace)[0]) == [
        ("/home/gbusey/file.js", 6, "speedy "), ("/home/gbusey/file.js", 5, "makeFaster "),
        ("/home/gbusey/file.js", 10, "Object.<anonymous> "), ("node.js", 906, ""),
        ("native", 0, "Array.forEach "), ("native", 0, ""),
    ]


def test_javascript_malformed_lines() -> None:
    stacktrace = (
        "TypeError: x\n    at speedy (/home/gbusey/file.js)\n"
        "    at makeFaster (/home/gbusey/file.js:5:3)malformed123\n    at Object.<anonymous> (/home/gbusey/file.js:10"
    )
    assert frames(parse("javascript", stacktrace)[0]) == [("/home/gbusey/file.js", 0, "speedy ")]


def test_dotnet_frames_with_and_without_paths() -> None:
    stacktrace = (
        "System.FormatException: Input string was not in a correct format.\n"
        "\tat System.Int32.Parse(String s)\n"
        "\tat MyNamespace.IntParser.Parse(String s) in C:\\apps\\MyNamespace\\IntParser.cs:line 11\n"
        "\tat Microsoft.Invoke(HttpContext context malformed\n"
        "\tat System.Net.Http.Pool.ConnectAsync(Boolean allowHttp2) non-malformed"
    )
    assert frames(parse("dotnet", stacktrace)[0]) == [
        ("", 0, "System.Int32.Parse(String s)"),
        ("C:\\apps\\MyNamespace\\IntParser.cs", 11, "MyNamespace.IntParser.Parse(String s)"),
        ("", 0, "System.Net.Http.Pool.ConnectAsync(Boolean allowHttp2)"),
    ]


def test_dotnet_inner_exception_with_crlf() -> None:
    stacktrace = (
        "System.Exception: Second exception happened\r\n"
        " ---> System.Exception: Error happened when get weatherforecasts\r\n"
        "   at Svc.Get() in D:\\Svc.cs:line 9\r\n"
        "   --- End of inner exception stack trace ---\r\n"
        "   at Svc.Get() in D:\\Svc.cs:line 12\r\n"
        "   at Ctl.Get() in D:\\Ctl.cs:line 31"
    )
    assert frames(parse("dotnet", stacktrace)[0]) == [
        ("D:\\Svc.cs", 9, "Svc.Get()"), ("D:\\Svc.cs", 12, "Svc.Get()"), ("D:\\Ctl.cs", 31, "Ctl.Get()"),
    ]


def test_go_frames_skip_goroutine_headers() -> None:
    stacktrace = (
        "goroutine 19 [running]:\n"
        "go.opentelemetry.io/otel/sdk/trace.recordStackTrace(0x0, 0x0)\n"
        "\totel-go-core/opentelemetry-go/sdk/trace/span.go:323 +0x9b\n"
        "panic(0x1414f00, 0xc0000a0050)\n"
        "\t/usr/local/go/src/runtime/panic.go:971 +0x4c7\n"
        "goroutine 26 [running]:\n"
        "testing.tRunner(0xc000102900, 0x1484410)\n"
        "\t/usr/local/go/src/testing/testing.go:1193 +0x1a3\n"
        "created by testing.(*T).Run\n"
        "\t/usr/local/go/src/testing/testing.go:1238 +0x63c"
    )
    assert frames(parse("go", stacktrace)[0]) == [
        ("otel-go-core/opentelemetry-go/sdk/trace/span.go", 323, "go.opentelemetry.io/otel/sdk/trace.recordStackTrace(0x0, 0x0)"),
        ("/usr/local/go/src/runtime/panic.go", 971, "panic(0x1414f00, 0xc0000a0050)"),
        ("/usr/local/go/src/testing/testing.go", 1193, "testing.tRunner(0xc000102900, 0x1484410)"),
        ("/usr/local/go/src/testing/testing.go", 1238, "created by testing.(*T).Run"),
    ]


@pytest.mark.parametrize("language", sorted(FILLERS))
def test_single_line_traces_leave_no_stack(language: str) -> None:
    exceptions = parse(language, "Error: only the message line")
    assert exceptions == [{"id": "0000000000000000", "message": "m", "type": "T", "remote": True}]


@pytest.mark.parametrize(("text", "value"), [("12", 12), ("+7", 7), ("-3", -3), ("", 0), ("1 2", 0), (" 5", 0),
                                              ("99999999999999999999", 2**63 - 1)])
def test_go_atoi(text: str, value: int) -> None:
    assert go_atoi(text) == value
