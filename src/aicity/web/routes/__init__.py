"""Routes of the explorer: pages (HTML), api (JSON under /api/v1/), assets (vendored JavaScript, fonts)."""
