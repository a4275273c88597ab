"""The one aiohttp application: health, metrics, the API, and the mounted platform adapters."""
