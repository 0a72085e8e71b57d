"""Settings of the jobscrape Scrapy project (only what the project sets; see the README)."""

from pathlib import Path

BOT_NAME = "jobscrape"
SPIDER_MODULES = ["jobscrape.spiders"]
NEWSPIDER_MODULE = "jobscrape.spiders"
COMMANDS_MODULE = "jobscrape.commands"
# `scrapy genspider -t board|platform NAME URL` starts a spider on the project's base classes
TEMPLATES_DIR = str(Path(__file__).with_name("templates"))

# Politeness: a user agent that names the project, robots.txt, one request at a time per
# board, AutoThrottle on top of each board's own delay (see custom_settings of the spiders).
USER_AGENT = "jobscrape/0.1 (+https://github.com/jobscrape/jobscrape)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
RETRY_TIMES = 2
RETRY_AFTER_MAX = 120  # seconds: the longest a 429/503 Retry-After is waited for before a retry
# Caps on one answer's body, decompressed included (a gzip bomb fails the request): Working
# Nomads sends its whole list in one answer of a few MB.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

# Nothing listens on a port: no telnet console, no RemoteControl endpoint (it runs Python).
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    # the content directory's state index; expiry of vanished jobs behind the outage guard
    "jobscrape.writer.run.ContentRun": 500,
    "jobscrape.collector.GarbageCollection": 900,
}
GC_THRESHOLD = 10_000  # new container objects between garbage-collector passes; 0: Python's

DOWNLOADER_MIDDLEWARES = {
    # nearest the download: cassettes record redirects as such, and every request as sent
    "jobscrape.downloadermiddlewares.vcr_replay.VcrReplayMiddleware": 950,
    # before RedirectMiddleware (600) sees a 3xx: a redirect to another site fails the run
    "jobscrape.downloadermiddlewares.same_site.SameSiteRedirectMiddleware": 650,
    # Scrapy's RetryMiddleware, waiting out a 429/503 Retry-After (RETRY_AFTER_MAX)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "jobscrape.downloadermiddlewares.retry_after.RetryAfterMiddleware": 550,
}
VCR_CASSETTE = ""
VCR_RECORD_MODE = "none"
VCR_CASSETTE_DIR = ""  # replay each spider from DIR/<name>.yaml (or DIR/<name>/<name>.yaml)

ITEM_PROCESSOR = "jobscrape.pipelines.manager.PostingPipelineManager"  # plain calls, in order
ITEM_PIPELINES = {
    "jobscrape.pipelines.limit_size.LimitSizePipeline": 50,
    "jobscrape.pipelines.repair_text.RepairTextPipeline": 100,
    "jobscrape.pipelines.validate.ValidatePostingPipeline": 200,
    "jobscrape.pipelines.dedupe.DeduplicatePipeline": 250,
    "jobscrape.pipelines.normalize_date.NormalizeDatePipeline": 300,
    "jobscrape.pipelines.dedupe_across_sources.DedupeAcrossSourcesPipeline": 400,
    "jobscrape.pipelines.carry_state.CarryStatePipeline": 450,
    # from here on, what reads only the posting: a long run's pipeline worker runs it
    "jobscrape.pipelines.normalize_tags.NormalizeTagsPipeline": 500,
    "jobscrape.pipelines.parse_salary.ParseSalaryPipeline": 550,
    "jobscrape.pipelines.choose_images.ChooseImagesPipeline": 600,
    "jobscrape.pipelines.sanitize_html.SanitizeHtmlPipeline": 700,
    "jobscrape.pipelines.render_post.RenderPostPipeline": 800,
}
PIPELINE_WORKER = True  # run the last pipelines (in_worker) in a second process in long runs
PIPELINE_WORKER_AFTER = 1000  # postings a run puts through them before it starts the worker
DEFAULT_IMAGE = ""
REMOTE_ONLY = True
COMPANIES_FILE = ""  # empty: jobscrape/companies.toml
POST_EXTRA_FIELDS: list[str] = []

FEED_STORAGES = {"content": "jobscrape.writer.feed.ContentDirFeedStorage"}
FEED_EXPORTERS = {"post": "jobscrape.writer.feed.PostExporter"}
FEEDS = {"content:": {"format": "post", "overwrite": True}}
CONTENT_DIR = "content"
CONTENT_FSYNC = True  # flush each post to disk before it replaces the old one (power cuts)
CONTENT_WRITE_BATCH = 64  # posts a writer thread writes (and flushes to disk) at a time; 1: inline
LOCK_TIMEOUT = 0  # seconds a run waits for another run on the same CONTENT_DIR
REPORT_FILE = ""  # empty: CONTENT_DIR/.jobscrape/report.json
EXPIRY_MIN_RATIO = 0.5  # a listing holding fewer of last time's jobs expires nothing, fails
EXPIRED_DELETE_AFTER_DAYS = 0  # 0: expired posts are kept
DUPLICATE_WINDOW_DAYS = 30  # same company and title on two boards within it: one post
MAX_TITLE_CHARS = 500  # longer and the record is dropped: no job title is that long
MAX_COMPANY_CHARS = 300
MAX_DESCRIPTION_CHARS = 1_000_000
MAX_TAGS = 30  # a post keeps at most this many tags

LOG_FORMATTER = "jobscrape.logformatter.PostingLogFormatter"
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
