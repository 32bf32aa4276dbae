"""API v1: one NinjaAPI, with a router per app (each app's `api.py`)."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Commun API",
    version="1",
    description="L'API de Commun : tout ce que fait l'interface web.",
    urls_namespace="api",
)
