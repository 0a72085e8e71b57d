"""jobscrape: Scrapy spiders that keep a static site's job board full."""

__version__ = "0.1.0"
