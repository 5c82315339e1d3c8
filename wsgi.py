"""WSGI entry point for production servers: `gunicorn wsgi:app`. The only module that builds an app at import."""

from supportdesk import create_app

app = create_app()
