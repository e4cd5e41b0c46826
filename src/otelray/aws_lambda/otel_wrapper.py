"""The handler the exec wrapper installs: ``_HANDLER=otelray.aws_lambda.otel_wrapper.lambda_handler``.

Importing this module is the layer's whole set-up (upstream ``otel_wrapper.py``): check
``ORIG_HANDLER``, build the SDK and instrument the handler (``otelray.aws_lambda.sdk``), then import
the original handler and re-export it as ``lambda_handler``. Nothing of otelray loads in a function
unless the wrapper put this module in ``_HANDLER``.
"""

from __future__ import annotations

import os

from otelray.aws_lambda.handler import load_handler, split_handler
from otelray.aws_lambda.sdk import configure

split_handler(os.environ)  # fail before any SDK set-up when the handler is not named
configure(os.environ)
lambda_handler = load_handler(os.environ)
