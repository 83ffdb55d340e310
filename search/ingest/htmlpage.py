"""HTML article pages: the main text without navigation, ads or comments, and the page's
own title, date, author and URL (htmlmeta.py).

The main text comes from trafilatura, set to favour precision and leave comments out: on
181 real news pages bench/eval_html.py measured token F1 0.963 for it, 0.956 for
trafilatura's defaults and 0.648 for the simple baseline below, which stays as the
fallback for pages trafilatura finds no article in (index pages, stubs).
"""
from __future__ import annotations

import logging
import re

import lxml.etree
import lxml.html

from search.ingest.content import IngestError, decode
from search.ingest.htmlmeta import page_meta
from search.model import Article

# trafilatura warns about every odd page through logging; a library keeps quiet unless the
# application configures logging (no levels are changed: a configured root still hears it).
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

NOT_CONTENT = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe",
               "svg", "button", "select", "template", "figure")
_CHROME = re.compile(r"\b(ad|ads|advert\w*|promo\w*|nav\w*|menu|share|social|comments?|footer|header|"
                     r"related|subscribe|newsletter|cookie\w*|sidebar|breadcrumbs?|popup|modal)\b", re.IGNORECASE)
BLOCKS = ("p", "h2", "h3", "h4", "li", "blockquote", "pre")


def read(data: bytes, source) -> tuple[list[Article], list[str]]:
    """One article per page: its main text, or at least its title."""
    tree = parse(decode(data, html=True))
    meta = page_meta(tree)
    body = main_text(tree) or simple_text(tree)
    title = meta.title or body[:80]
    first, _, rest = body.partition("\n\n")
    if first.casefold() == title.casefold():  # the headline, once more as the text's <h1>
        body = rest
    if not title and not body:
        return [], ["empty: no title or article text in the page"]
    return [Article(
        id=source.article_id(0, meta.url),
        title=title,
        body=body,
        source=meta.site,
        url=meta.url,
        published=meta.published,
        published_from="field" if meta.published else "",
        author=meta.author,
        path=str(source.path),
    )], []


def parse(text: str):
    """The page as an lxml tree; raises IngestError when there is no markup to parse."""
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses a str with an encoding declaration
    try:
        tree = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as error:
        raise IngestError(f"not HTML: {error}") from None
    if tree is None:
        raise IngestError("empty: no HTML in the file")
    return tree


def main_text(tree) -> str:
    """The article's text by trafilatura (precision first, comments left out)."""
    import trafilatura  # here, not at the top: it takes a second to import, and `morgue query` needs none of it

    try:
        document = trafilatura.bare_extraction(
            tree, include_comments=False, favor_precision=True, with_metadata=False, include_images=False
        )
    except (ValueError, TypeError, AttributeError, IndexError, lxml.etree.LxmlError):
        return ""  # a page trafilatura trips on still gets the baseline's text
    text = getattr(document, "text", None) if document is not None else None
    return _tidy(text or "")


def simple_text(tree) -> str:
    """Baseline: page chrome removed, then the paragraphs of the element that holds most
    paragraph text (the <article> when there is one)."""
    tree = lxml.html.fromstring(lxml.html.tostring(tree))  # a copy: the caller's tree stays whole
    for element in list(tree.iter(*NOT_CONTENT)):
        element.drop_tree()
    for element in list(tree.iter()):
        marks = f"{element.get('class', '')} {element.get('id', '')}" if isinstance(element.tag, str) else ""
        if marks.strip() and _CHROME.search(marks) and element.getparent() is not None:
            element.drop_tree()
    articles = list(tree.iter("article"))
    container = max(articles, key=_text_length) if articles else _densest(tree)
    blocks = [" ".join(b.text_content().split()) for b in container.iter(*BLOCKS)]
    return _tidy("\n\n".join(b for b in blocks if b))


def _text_length(element) -> int:
    return sum(len(p.text_content()) for p in element.iter("p"))


def _densest(tree):
    """The element whose direct <p> children hold the most text."""
    scores: dict = {}
    for p in tree.iter("p"):
        parent = p.getparent()
        if parent is not None:
            scores[parent] = scores.get(parent, 0) + len(p.text_content())
    return max(scores, key=scores.get) if scores else tree


def _tidy(text: str) -> str:
    """Paragraphs separated by one blank line, spaces squeezed."""
    paragraphs = (" ".join(line.split()) for line in text.split("\n"))
    return "\n\n".join(p for p in paragraphs if p)
