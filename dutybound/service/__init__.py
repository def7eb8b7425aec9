"""dutybound over HTTP: the procurement gate and the evaluation behind an API-keyed service.

``service.app:create_app`` builds the FastAPI application; ``service.app:run`` serves it with
uvicorn (one worker: durable-rules is not thread-safe and the engine serialises evaluations).
``python -m service`` is the command line (``serve``, ``keys create``).
"""
