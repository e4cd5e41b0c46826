"""The daemon-protocol UDP endpoint over a real socket and a real store."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import orjson

from otelray.service.server import BackendSettings, open_context
from otelray.service.udp import DaemonProtocol
from otelray.xray.ids import new_segment_id, new_trace_id
from otelray.xray.wire import encode_datagram


def test_datagrams_are_stored_and_bad_ones_counted(tmp_path: Path) -> None:
    ctx = open_context(BackendSettings(data_dir=tmp_path))
    trace_id = new_trace_id()
    good = {"name": "a", "id": new_segment_id(), "trace_id": trace_id, "start_time": 1.0, "end_time": 2.0}

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: DaemonProtocol(ctx.ingest, flush_interval=0.01), local_addr=("127.0.0.1", 0)
        )
        port = transport.get_extra_info("sockname")[1]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for datagram in (
                encode_datagram(good),
                b"no header at all",
                b'{"format":"xml","version":1}\n{}',
                b'{"format":"json","version":1}\n',
                encode_datagram(b'{"name":"x"}'),
            ):
                sender.sendto(datagram, ("127.0.0.1", port))
        await asyncio.sleep(0.3)
        transport.close()
        await asyncio.sleep(0)

    try:
        asyncio.run(scenario())
        ctx.store.sync().result()
        assert ctx.store.documents([trace_id]) == {trace_id: [orjson.dumps(good)]}
        text = ctx.metrics.render().decode()
        for reason in ("missing_header", "bad_header", "missing_body"):
            assert f'otelray_backend_datagrams_rejected_total{{reason="{reason}"}} 1.0' in text
        assert 'otelray_backend_segments_rejected_total{reason="MissingTraceId",source="udp"} 1.0' in text
        assert 'otelray_backend_segments_accepted_total{source="udp"} 1.0' in text
    finally:
        ctx.close()
