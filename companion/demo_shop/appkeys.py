"""Typed keys for what the demo shop's app carries."""

from aiohttp import web

NEWSLETTER_DELAY_MS = web.AppKey("newsletter_delay_ms", int)
