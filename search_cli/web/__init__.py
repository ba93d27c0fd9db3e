"""``newsdex web``: a read-only web page and JSON API over one index (Starlette, Jinja2, a little plain
JavaScript; styles and scripts are package data, nothing is fetched from the internet). See docs/web.md."""
