"""The web faces: the JSON API, the Gradio chat page and the embeddable support widget.

All of them call `assistant.chain.Assistant.answer` through `service.AnswerService`; none of them
retrieves, guards or composes anything itself. `web.app` puts them together.
"""
