"""Data files shipped with Outreach (catalog, fonts); found through outreach.paths.resource()."""
