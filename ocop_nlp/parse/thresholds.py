"""What makes a page an article, a listing or neither, and a link an article's: the numbers.

Every threshold the crawler uses to tell an article from a menu, a listing or a stub lives here,
so tuning one is one edit, seen beside the others. Lengths are characters of text outside
links (`parse.page_scan` counts them per container, as readability does). `parse.page_kind`
reads a page with them, `parse.link_kinds` its links, and the crawler checks the article text
it parsed against `MIN_ARTICLE_TEXT`.
"""

from __future__ import annotations

# --- a page's shape -------------------------------------------------------------------------
ARTICLE_BODY = 600  # one container with this much paragraph text is an article ...
ARTICLE_PARAGRAPHS = 2  # ... in this many paragraphs (blocks of 40+ characters) at least,
ARTICLE_ONE_BLOCK = 1000  # ... or this much in a single block (div + <br> bodies)
ARTICLE_WITH_URL = 250  # enough when the URL looks like an article too
STUB_WITH_URL = 120  # an article URL with less text is a stub ("Xem chi tiết tại đây")
SHORT_ARTICLE = 200  # a headline and two paragraphs of this much, and no list: a short notice
SHORT_ARTICLE_MAX_ITEMS = 2  # ... beside at most this many article links
# Link text may be at most this share of the best container's text: more is a menu or a list.
MAX_LINK_SHARE = 0.35
# A container with this many headlines (link texts of 4+ words) and under EXCERPT_CHARS of own
# text per headline is a list of items with excerpts, not an article.
EXCERPT_HEADLINES = 4
EXCERPT_CHARS = 350
LISTING_ITEMS = 5  # a page with this many article links is a listing ...
LISTING_ITEMS_WITH_PAGER = 2  # ... or with this many and a pager or two dated items
LISTING_DATED_ITEMS = 2

# --- a link's text --------------------------------------------------------------------------
HEADLINE_WORDS = 5  # a link text this long is a headline, wherever it stands ...
HEADLINE_CHARS = 25  # ... and at least this many characters
ITEM_WORDS = 3  # ... or this long when it repeats the markup of its neighbours
ITEM_REPEATS = 3  # ... at least this many times (the items of one list)

# --- the article text the crawler parsed ----------------------------------------------------
# A page whose article body is shorter than this is a stub ("Xem chi tiết tại đây"), not news.
MIN_ARTICLE_TEXT = 200
