"""nianbao (年报): the government information disclosure annual report, from data to HTML and PDF."""

__version__ = "0.1.0"
