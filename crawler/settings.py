"""Scrapy settings for govpress: the one place that wires components and reads the environment.

Every custom setting carries a prefix (``ARCHIVE_``, ``CLEANING_``, ``DEDUP_``,
``HOSTMAP_``, ``INCREMENTAL_``) and is documented in ``docs/settings.md``.  Environment
variables are parsed by ``crawler.config.env`` and every setting is range-checked by
``crawler.config.check_settings`` (one-line ``ConfigError``).
"""

from __future__ import annotations

from crawler import config as _config
from crawler.config import env as _env

BOT_NAME = "govpress"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# --- politeness: these defaults are part of correctness -------------------------------
GOVPRESS_CONTACT_PLACEHOLDER = "https://github.com/govpress/govpress"
"""What ``GOVPRESS_CONTACT`` says when the operator has not set it; live crawls warn about it."""
GOVPRESS_CONTACT = _env("GOVPRESS_CONTACT", GOVPRESS_CONTACT_PLACEHOLDER, _config.text(nonempty=True))
USER_AGENT = f"govpress/0.1 (+{GOVPRESS_CONTACT}; archiving public press releases)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = _env("GOVPRESS_DOWNLOAD_DELAY", 2.0, _config.SETTINGS["DOWNLOAD_DELAY"])
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = DOWNLOAD_DELAY
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_BACKOFF_BASE = 2.0
"""Seconds before the first retry; doubled for each further one (see ``crawler.middlewares.backoff``)."""
RETRY_BACKOFF_MAX = 120.0
"""Longest wait before a retry, also the cap on a server's ``Retry-After``."""
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True
COOKIES_MAX_PER_DOMAIN = 50
"""Cookies kept per domain at most (``crawler.middlewares.cookies``); later ones are dropped."""
COOKIES_MAX_HEADER_BYTES = 4096
"""Longest ``Cookie`` header sent; a longer one is cut at a cookie boundary."""
# The spider dedupes by canonical URL itself; Scrapy's fingerprint dupefilter would also
# swallow a redirect loop silently instead of letting it fail (counted) at REDIRECT_MAX_TIMES.
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"
# No control servers in a crawl: Scrapy 2.19's remote control (an HTTP server that runs code
# sent to it) and the telnet console both listen on a local port by default.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9",
}

# --- components, in order --------------------------------------------------------------
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.backoff.BackoffRetryMiddleware": 550,
    # RFC 9309: robots.txt answering 5xx or unreachable means complete disallow.
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsMiddleware": 100,
    # Offline Public Suffix List and a bounded cookie jar.
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.middlewares.cookies.CappedCookiesMiddleware": 700,
    # A page with charset=hex or a malformed <base href> is kept, not lost as a download error.
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.metarefresh.SafeMetaRefreshMiddleware": 580,
    # Before HttpProxyMiddleware (750): the site's proxy and TLS settings go on each request.
    "crawler.middlewares.siteaccess.SiteAccessMiddleware": 740,
}
DOWNLOAD_HANDLERS = {
    "http": "crawler.handlers.sitetls.SiteTLSDownloadHandler",
    "https": "crawler.handlers.sitetls.SiteTLSDownloadHandler",
}
SPIDER_MIDDLEWARES: dict[str, int] = {
    # Known / due / backfill decisions from the archive; the spider itself only parses.
    "crawler.middlewares.incremental.IncrementalMiddleware": 600,
}
ITEM_PIPELINES = {
    "pipelines.cleaning.CleaningPipeline": 300,
    "pipelines.dedup.DedupPipeline": 400,
    "pipelines.archiving.ArchivePipeline": 500,
    "pipelines.attachments.AttachmentPipeline": 600,
}
EXTENSIONS = {
    # The lock is taken first; a skipped crawl still leaves its run record.
    "crawler.extensions.sitelock.SiteLockExtension": 90,
    # Checks run before the run record is closed, so it can keep their verdict.
    "crawler.extensions.monitors.MonitorExtension": 95,
    "crawler.extensions.runrecord.RunRecordExtension": 100,
}

# --- govpress settings -------------------------------------------------------------------
ARCHIVE_PATH = _env("GOVPRESS_ARCHIVE", "data/govpress.sqlite", _config.text(nonempty=True))
ARCHIVE_STORE_RAW = True
ARCHIVE_BUSY_TIMEOUT = 5.0
"""Seconds a write waits for another writer of the archive (it waits in the reactor thread)."""
ARCHIVE_BUSY_RETRIES = 2
"""Further attempts of a write that found the archive locked; then the run fails with the reason."""
ARCHIVE_BATCH_SIZE = 50
"""Documents committed together (1: one transaction each); a kill loses at most one batch."""
ARCHIVE_BATCH_SECONDS = 1.0
"""A batch is committed at the latest this long after its first document."""
ARCHIVE_CACHE_MIB = 16
"""SQLite page cache of the crawl's archive connection: the most of the archive a crawl holds in memory."""
LOCK_ENABLED = True
"""One crawl per site and archive at a time (see ``crawler.extensions.sitelock``)."""
LOCK_DIR = ""
"""Where the per-site lock files live; empty means a ``locks`` folder beside the archive."""
MONITOR_ENABLED = True
MONITOR_MIN_LINKS_RATIO = 0.5
"""A run finding fewer article links than this share of the trailing median fails its check."""
MONITOR_MAX_FAILURE_RATE = 0.2
"""Share of articles without headline/date, too short, leaking boilerplate or mis-decoded."""
MONITOR_MIN_ITEMS = 3
MONITOR_HISTORY_RUNS = 10
MONITOR_WEBHOOK_URL = _env("GOVPRESS_WEBHOOK_URL", "", _config.url_or_empty)
MONITOR_EMAIL_TO = _env("GOVPRESS_ALERT_EMAIL", "", _config.text())
MONITOR_SMTP_HOST = _env("GOVPRESS_SMTP_HOST", "localhost", _config.text())
GOVPRESS_TRIGGER = _env("GOVPRESS_TRIGGER", "manual", _config.choice(*_config.TRIGGERS))
CLEANING_MIN_CHARS = 20
EXTRACT_MAX_NODES = 50_000
"""Tags parsed per article page at most; the rest is cut and the page flagged ``truncated_nodes``."""
CLEANING_WORKERS: int | None = _env("GOVPRESS_CLEANING_WORKERS", None, _config.number(0, 256, integer=True))
"""Extraction processes (None: one per core, 0 on one core; 0 extracts on the reactor thread)."""
CLEANING_TIMEOUT = 30.0
"""Seconds of extraction a page may take in a worker; a longer one is dropped (``cleaning/timeout``)."""
CLEANING_MAX_IN_FLIGHT = 0
"""Pages in the extraction pool at once at most (0: four per worker); downloads pause while it is full."""
DEDUP_ENABLED = True
DEDUP_NEAR_ENABLED = True
ATTACHMENTS_ENABLED = _env("GOVPRESS_ATTACHMENTS", True, _config.boolean)
"""Fetch the files (PDF, DOC(X), XLS(X), WPS, OFD) archived articles link to (``--no-attachments``: off)."""
ATTACHMENTS_MAX_BYTES = 20 * 1024 * 1024
"""Size cap per attached file (larger downloads are cancelled and stored as ``too_large``)."""
ATTACHMENTS_MAX_PER_DOCUMENT = 20
INCREMENTAL_ENABLED = True
INCREMENTAL_FULL = False
"""Walk every list page even when a page holds only known articles (backfill)."""
INCREMENTAL_REFRESH = False
"""Re-fetch known articles even when they are not due for a revisit."""
ARTICLE_MAX_PAGES = 20
"""Pages of one multi-page article fetched and joined into one document (1: page 1 only)."""
LIST_MAX_PAGES = 0
"""Cap on list pages per column for every site (0: the site definition's ``max_pages``)."""
LIST_MAX_LINKS = 500
"""Article links taken from one list page at most; the rest are counted ``lists/links_capped``."""
FRONTIER_MAX_REQUESTS = 50_000
"""Requests one crawl of a site schedules at most (list pages and articles); then ``frontier/capped``."""
HOSTMAP: dict[str, str] = {}
"""``{host: "127.0.0.1:PORT"}``: demo/test mode only (see ``crawler.handlers.loopback``)."""
HOSTMAP_STRICT = True
"""With a HOSTMAP set, refuse every request to an unmapped host (tests never leave loopback)."""

SITEACCESS_ENABLED = True
"""Apply each site file's ``[tls]`` and ``proxy`` to its requests (``crawler.middlewares.siteaccess``)."""
PROXY_URL = _env("GOVPRESS_PROXY", "", _config.url_or_empty)
"""HTTP(S) proxy for every site without its own ``proxy`` (``http://user:pass@host:port``)."""
TLS_VERIFY = True
"""Check certificates and host names; a site file's ``[tls] verify = false`` turns it off for that site."""
TLS_CA_FILE = ""
"""Extra trusted CA certificates (PEM) for every site, besides certifi's (the simulator's own CA in demos)."""
CAPTURE_DIR = ""
"""Write every response to this folder (``govpress check --save``; ``crawler.extensions.capture``)."""
REPLAY_DIR = ""
"""Answer every request from a capture in this folder, offline (``govpress check --replay``)."""
REDIS_URL = _env("GOVPRESS_REDIS_URL", "", _config.text())
"""Redis of a distributed crawl (``govpress enqueue|worker|ingest``; docs/distributed.md)."""
REDIS_PREFIX = "govpress"
"""Prefix of every Redis key of a distributed crawl."""
REDIS_WORKER = False
"""Set by ``govpress worker``: scrapy-redis scheduler and dupefilter, records to the stream."""
REDIS_WORKER_ID = ""
"""A worker's name in Redis (empty: host-pid)."""
REDIS_HEARTBEAT = 1.0
"""Seconds between a worker's heartbeats; three missed ones and its in-flight requests are requeued."""
MAX_IDLE_TIME_BEFORE_CLOSE = 10
"""A worker ends once its sites' queues have been empty this many seconds (scrapy-redis setting)."""
LEASE_ENABLED = True
"""Per-domain lease across workers (``crawler.distributed.lease``); off only in bench mode."""

GOVPRESS_NOW = ""
"""Pin the crawl's clock (ISO 8601) for revisit decisions; tests only."""

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = _env("GOVPRESS_LOG_LEVEL", "INFO", _config.level)
