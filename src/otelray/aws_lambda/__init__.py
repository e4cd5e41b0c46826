"""otelray.aws_lambda."""
