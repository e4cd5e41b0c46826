"""Config of the ``prometheus`` receiver (contrib ``receiver/prometheusreceiver``): a Prometheus
``config`` block with ``global`` and ``scrape_configs`` (static targets, relabelling).

Supported: ``job_name``, ``scrape_interval``, ``scrape_timeout``, ``metrics_path``, ``scheme``,
``params``, ``honor_labels``, ``static_configs`` (``targets``, ``labels``), ``relabel_configs``,
``metric_relabel_configs``, ``body_size_limit``. Service discovery (``*_sd_configs``) and auth are
refused as unknown keys, naming the key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, NonNegativeInt, model_validator

from otelray.collector.config.blocks import ComponentConfig, Duration
from otelray.collector.receivers.prometheus.relabel import RelabelConfig

#: Default largest scrape body (Prometheus has no default limit; otelray bounds every input).
DEFAULT_BODY_SIZE_LIMIT = 16 * 1024 * 1024


class StaticConfig(ComponentConfig):
    """``static_configs`` entry."""

    targets: list[str] = Field(default_factory=list, description="host:port of each target.")
    labels: dict[str, str] = Field(default_factory=dict, description="Labels of these targets.")


class GlobalConfig(ComponentConfig):
    """``global``."""

    scrape_interval: Duration = Field(timedelta(minutes=1), description="Default scrape interval.")
    scrape_timeout: Duration = Field(timedelta(seconds=10), description="Default scrape timeout.")
    external_labels: dict[str, str] = Field(default_factory=dict, description="Accepted; not applied by receivers.")


class ScrapeConfig(ComponentConfig):
    """``scrape_configs`` entry."""

    job_name: str = Field(min_length=1, description="The job label of the targets.")
    scrape_interval: Duration | None = Field(None, description="How often to scrape (default: global).")
    scrape_timeout: Duration | None = Field(None, description="Scrape timeout (default: global).")
    metrics_path: str = Field("/metrics", description="HTTP path of the metrics.")
    scheme: Literal["http", "https"] = Field("http", description="http or https.")
    params: dict[str, list[str]] = Field(default_factory=dict, description="URL query parameters.")
    honor_labels: bool = Field(False, description="Scraped labels win over clashing target labels "
                                                  "(else they are kept as exported_<name>).")
    body_size_limit: NonNegativeInt = Field(DEFAULT_BODY_SIZE_LIMIT, description="Largest accepted body in bytes.")
    static_configs: list[StaticConfig] = Field(default_factory=list, description="Targets.")
    relabel_configs: list[RelabelConfig] = Field(default_factory=list, description="Target relabelling.")
    metric_relabel_configs: list[RelabelConfig] = Field(default_factory=list, description="Sample relabelling.")


class PromConfig(ComponentConfig):
    """The embedded Prometheus configuration."""

    global_: GlobalConfig = Field(default_factory=GlobalConfig, alias="global", description="Defaults.")
    scrape_configs: list[ScrapeConfig] = Field(default_factory=list, description="What to scrape.")

    @model_validator(mode="after")
    def _unique_jobs(self) -> PromConfig:
        names = [s.job_name for s in self.scrape_configs]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"found multiple scrape configs with job name {dupes[0]!r}")
        return self


class PrometheusReceiverConfig(ComponentConfig):
    """``receivers::prometheus``."""

    config: PromConfig = Field(default_factory=PromConfig, description="Prometheus scrape configuration.")
    trim_metric_suffixes: bool = Field(False, description="Accepted; suffixes are kept.")
    use_start_time_metric: bool = Field(False, description="Accepted; start times are first sightings.")
