"""Builds the optional C extension ``otelray.translate._native`` (metadata lives in pyproject.toml).

The extension is optional: where no C compiler is available the install still succeeds and
otelray translates spans with its Python modules only (``otelray.translate.to_xray.request``).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "otelray.translate._native",
            sources=[f"src/otelray/translate/_native_src/{name}.c" for name in (
                "module", "wire", "json", "keys", "http", "aws", "naming", "attributes", "segment")],
            depends=["src/otelray/translate/_native_src/native.h"],
            extra_compile_args=["-O2", "-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"],
            optional=True,
        )
    ]
)
