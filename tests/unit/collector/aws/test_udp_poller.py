from __future__ import annotations

import asyncio
import socket

from otelray.collector.aws.udp_poller import UdpPoller
from otelray.xray.wire import MAX_DATAGRAM_BYTES, encode_datagram

DOC = b'{"name":"svc","id":"70de5b6f19ff9a0a","trace_id":"1-581cf771-a006649127e371903a2de979","start_time":1,"end_time":2}'


async def _run(datagrams: list[bytes]) -> tuple[list[bytes], UdpPoller]:
    got: list[bytes] = []
    poller = UdpPoller("127.0.0.1", 0, got.append)
    await poller.start()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for datagram in datagrams:
            sock.sendto(datagram, poller.address)
    for _ in range(100):
        if poller.received >= len(datagrams):
            break
        await asyncio.sleep(0.01)
    await poller.close()
    await poller.close()  # safe twice
    return got, poller


def test_valid_datagrams_are_passed_on_and_garbage_is_counted_per_reason() -> None:
    datagrams = [
        encode_datagram(DOC),
        b"garbage without newline",
        b'{"format":"xml","version":1}\n{}',
        b'{"format":"json","version":1}\n   ',
        b'{"format": "JSON", "version": 1}\n' + DOC,
    ]
    got, poller = asyncio.run(_run(datagrams))
    assert got == [DOC, DOC]
    assert dict(poller.rejected) == {"missing_header": 1, "bad_header": 1, "missing_body": 1}


def test_oversized_datagram_is_rejected_as_too_large() -> None:
    got: list[bytes] = []
    poller = UdpPoller("127.0.0.1", 0, got.append)
    poller.handle_datagram(encode_datagram(b"{" + b" " * MAX_DATAGRAM_BYTES + b"}"))
    assert got == []
    assert poller.rejected["too_large"] == 1


def test_port_in_use_raises_oserror() -> None:
    async def main() -> None:
        first = UdpPoller("127.0.0.1", 0, lambda _: None)
        await first.start()
        second = UdpPoller("127.0.0.1", first.address[1], lambda _: None)
        try:
            await second.start()
        except OSError:
            pass
        else:
            raise AssertionError("second bind on the same port succeeded")
        finally:
            await first.close()

    asyncio.run(main())
