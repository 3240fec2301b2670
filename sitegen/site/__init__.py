"""The site model: pages resolved into a site, URLs, the registry and translation status."""
