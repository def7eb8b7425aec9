"""dutybound over HTTP: the procurement gate and the evaluation behind an API-keyed service.

``app.create_app`` builds the FastAPI application from ``settings.Settings`` (every environment
variable the service reads, read in ``settings`` alone); ``app.run`` serves it with uvicorn.
One router per area is in ``routers``; what endpoints depend on (the shared ``state.Service``,
the database, the caller behind an API key) is in ``deps``. ``python -m dutybound.service``
serves; API keys are managed with ``dutybound keys`` (``keys`` holds the functions).
"""
