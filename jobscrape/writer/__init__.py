"""Writing posts: a content directory written atomically, plugged into Scrapy's FEEDS."""
