"""The German web UI: server-rendered Django templates with htmx, KERN UX markup."""
