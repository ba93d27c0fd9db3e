"""Boilerplate the corpus generator mixes into real article text: the kinds the README names, each in several
phrasings from several site styles, so a benchmark corpus exercises the rules rather than five seed pages."""

from __future__ import annotations

import random

NAMES = [
    "Anna Keller",
    "James Okafor",
    "Maria Lopez",
    "Chen Wei",
    "Sofia Rossi",
    "David Cohen",
    "Priya Nair",
    "Tom Becker",
    "Laura Martin",
    "Yusuf Demir",
    "Elena Petrova",
    "Sam Wright",
]
AGENCIES = ["AFP via Getty Images", "Reuters", "AP", "EPA", "Getty Images", "Bloomberg", "Shutterstock"]

AD = [
    "Advertisement",
    "ADVERTISEMENT",
    "Story continues below advertisement",
    "Sponsored content",
    "- Advertisement -",
    "Ad",
    "Scroll to continue with content",
]
SHARE = [
    "Share",
    "Send Push",
    "Share this article",
    "Tweet",
    "Share on Facebook",
    "Share on X",
    "Email",
    "Copy link",
    "Pin it",
    "WhatsApp",
    "Share via email",
    "Print",
]
PROMO = [
    "Download the app now",
    "Sign up for our newsletter",
    "Get the best stories in your inbox every morning",
    "Subscribe now for unlimited access",
    "Follow us on Google News",
    "Get our app for breaking news alerts",
]
RELATED_HEAD = [
    "Read more:",
    "Related:",
    "Recommended stories",
    "Trending now",
    "You may also like",
    "More from this section",
    "Most read",
    "Related articles",
]
SOURCE = ["Source link", "Source: {site}", "Originally published on {site}", "This article first appeared on {site}"]
COMMENTS = [
    [
        "Leave a Reply",
        "Your email address will not be published. Required fields are marked *",
        "Comment *",
        "Name *",
        "Email *",
        "Post Comment",
    ],
    ["Comments", "Join the conversation", "Log in to comment"],
    ["Leave a comment", "You must be logged in to post a comment."],
]
COOKIES = [
    "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
    "This site uses cookies. Accept all cookies",
    "Accept",
    "Manage preferences",
    "By using this website, you agree to our Privacy Policy and Terms of Service.",
]
COUNTERS = ["{n} views", "Views: {n}", "Read {n} times", "{n}"]
LABELS = ["Author:", "Tags:", "Category:", "Posted in:"]
JUNK = ["fdfddfdffddfdfdf", "image", "jjjjjjjjj", "asdfasdf", "Image", "photo"]
NAV = [
    "Home | World | Politics | Business | Tech | Sport",
    "Home > News > {section}",
    "Last news in {site}",
    "Menu",
    "Skip to content",
    "Next Story",
    "Previous article",
    "Back to top",
]
SECTIONS = ["World", "Politics", "Business", "Science", "Health", "Culture", "Europe", "Asia"]
CAPTION = [
    "{text} © {agency}",
    "{text} Photo: {agency}",
    "{text} (Image credit: {agency})",
    "{text} via {agency}",
    "Photo: {agency}",
    "{text} | {agency}",
]
# A widget line that only ~1% of documents carry (marked in .corpus.jsonl): a rule change aimed at it touches
# about 1% of the corpus, which is what bench/reindex.py needs.
RARE = "Listen to this article · {m} min"


def date_line(rng: random.Random) -> str:
    y, mo, d = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    style = rng.randrange(3)
    if style == 0:  # "Jan 21, 2025 10:35 122": date, time and a view count, like the seeds' headers
        return f"{months[mo - 1]} {d}, {y} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d} {rng.randint(10, 9999)}"
    if style == 1:
        return f"Published {y}-{mo:02d}-{d:02d}"
    return f"{d} {months[mo - 1]} {y}"


def counter(rng: random.Random) -> str:
    return rng.choice(COUNTERS).format(n=f"{rng.randint(12, 98000):,}")


def caption(rng: random.Random, sentence: str) -> str:
    text = sentence.lstrip("-•* ")[:90].rstrip(" ,;.") + "."
    return rng.choice(CAPTION).format(text=text, agency=rng.choice(AGENCIES))


def header(rng: random.Random, site: str, title: str, chrome: list[str]) -> list[str]:
    lines = [rng.choice(NAV).format(site=site, section=rng.choice(SECTIONS))]
    lines += rng.sample(chrome, min(len(chrome), rng.randint(0, 4)))
    if rng.random() < 0.4:
        lines.append(rng.choice(COOKIES))
    lines.append(title)
    if rng.random() < 0.15:
        lines.append(rng.choice(JUNK))
    lines.append(date_line(rng))
    if rng.random() < 0.5:
        lines.append(f"By {rng.choice(NAMES)}")
    elif rng.random() < 0.3:
        lines.append(rng.choice(LABELS))
    if rng.random() < 0.5:
        lines.append(rng.choice(SHARE))
    return lines


def interstitial(rng: random.Random, paragraph: str) -> list[str]:
    """What a page puts between two paragraphs: an ad, a share bar, a captioned photo, a promo, or nothing."""
    roll = rng.random()
    if roll < 0.25:
        return [rng.choice(AD)]
    if roll < 0.38:
        return rng.sample(SHARE, rng.randint(1, 3))
    if roll < 0.52:
        return [caption(rng, paragraph)]
    if roll < 0.60:
        return [rng.choice(PROMO)]
    if roll < 0.66:
        return [rng.choice(RELATED_HEAD), "placeholder-related"]
    return []


def footer(rng: random.Random, site: str, related: list[str], chrome: list[str]) -> list[str]:
    lines: list[str] = []
    if rng.random() < 0.6:
        lines.append(rng.choice(SOURCE).format(site=site))
    if rng.random() < 0.5:
        lines.append(counter(rng))
    if rng.random() < 0.7:
        lines.append(rng.choice(RELATED_HEAD))
        lines += related
    if rng.random() < 0.5:
        lines += rng.choice(COMMENTS)
    if rng.random() < 0.4:
        lines.append(rng.choice(PROMO))
    if rng.random() < 0.3:
        lines.append(rng.choice(COOKIES))
    lines += rng.sample(chrome, min(len(chrome), rng.randint(0, 3)))
    return lines
