"""OTLP over TLS: the receiver's servers with a certificate, the otlp/otlphttp exporters trusting its CA."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from otelray.collector.component import Kind, Signal
from otelray.collector.errors import RetryableError
from otelray.collector.exporters.otlp import OtlpExporterConfig, OtlpGrpcPusher
from otelray.collector.exporters.otlphttp import OtlpHttpExporterConfig, OtlpHttpPusher
from otelray.collector.receivers.otlp.config import OtlpReceiverConfig
from otelray.collector.receivers.otlp.receiver import OtlpReceiver
from otelray.collector.testing import NopHost, TracesSink, make_settings, sample_batch


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    return folder


def test_tls_receiver_with_tls_exporters(certs):
    tls = {"cert_file": str(certs / "cert.pem"), "key_file": str(certs / "key.pem")}

    async def run():
        config = OtlpReceiverConfig.model_validate({"protocols": {"grpc": {"endpoint": "127.0.0.1:0", "tls": tls},
                                                                  "http": {"endpoint": "127.0.0.1:0", "tls": tls}}})
        receiver = OtlpReceiver(make_settings("otlp", Kind.RECEIVER), config)
        sink = TracesSink()
        receiver.register(Signal.TRACES, sink)
        await receiver.start(NopHost())
        grpc_port, http_port = receiver.addresses["grpc"][1], receiver.addresses["http"][1]
        trusted = {"ca_file": str(certs / "cert.pem")}
        pushers = [
            OtlpGrpcPusher(make_settings("otlp", Kind.EXPORTER), Signal.TRACES, OtlpExporterConfig.model_validate(
                {"endpoint": f"localhost:{grpc_port}", "tls": trusted})),
            OtlpHttpPusher(make_settings("otlphttp", Kind.EXPORTER), Signal.TRACES, OtlpHttpExporterConfig.model_validate(
                {"endpoint": f"https://127.0.0.1:{http_port}", "tls": trusted})),
        ]
        untrusting = OtlpHttpPusher(make_settings("otlphttp/2", Kind.EXPORTER), Signal.TRACES,
                                    OtlpHttpExporterConfig.model_validate({"endpoint": f"https://127.0.0.1:{http_port}"}))
        try:
            for i, pusher in enumerate(pushers):
                await pusher.start(NopHost())
                await pusher.push(sample_batch(Signal.TRACES, i + 2))
                await pusher.shutdown()
            await untrusting.start(NopHost())
            with pytest.raises(RetryableError, match="CERTIFICATE_VERIFY_FAILED"):
                await untrusting.push(sample_batch(Signal.TRACES, 1))
            await untrusting.shutdown()
        finally:
            await receiver.shutdown()
        return sink.item_count

    assert asyncio.run(run()) == 5
