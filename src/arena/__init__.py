"""The Arena: rank local LLM builds by quality, throughput and efficiency per use case."""

__version__ = "0.1.0"
