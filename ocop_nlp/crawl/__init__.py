"""Collecting articles from portals into the store: `ocop crawl`.

The crawl sits beside `batch/`: it drives the layers, it is not one of them.
- `fetch.urls`     canonical URLs, hosts, file kinds (what may be queued at all);
- `fetch.robots`   robots.txt rules for our User-Agent (Disallow, Crawl-delay, Sitemap);
- `fetch.polite`   one polite HTTP client: per-host delay, size cap, conditional GET; it
                   never raises for a bad server;
- `fetch.policy`   after each answer, retry (backoff, Retry-After), follow a redirect (loops,
                   limits, scope) or finish: a pure `next_step(answer, state)`;
- `fetch.deadline` one total deadline per fetch, enforced by a watchdog on the socket, so a
                   server dripping its headers or body cannot hold the crawl;
- `parse.links`    what a fetched page is (article, listing, other) and the links worth
                   following from it (`parse.page_scan`, `parse.link_kinds`, `parse.page_kind`,
                   with every threshold in `parse.thresholds`); `parse.sitemaps` and
                   `parse.feeds` read sitemaps and feeds; `parse.profiles` make known site
                   families exact;
- `parse.html`     the page -> Article, the same parser `ocop batch FOLDER` uses;
- `store`          articles, the persisted frontier and the fetch log, so a killed crawl
                   resumes and a re-run fetches listings and new articles only;
- `crawl.crawler`  the loop that ties them together, with each run's bounds (pages, time,
                   listing chains) and any error on one page recorded on that page.
"""
