"""The web faces: the JSON API, the Gradio chat page and the embeddable support widget.

All of them call `assistant.chain.Assistant.answer` through `service.AnswerService`; none of them
retrieves, guards or composes anything itself. `web.app` puts them together.
"""

# Where machine clients call: the app's own JSON API and the OpenAI-compatible one. Both get the same body-size
# limit, rate limit, request log and API security headers.
API_PREFIXES = ("/api/", "/v1/")
