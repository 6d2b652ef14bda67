"""The example questions a new conversation offers, on the chat page and in the widget alike."""

EXAMPLES = ["how long should i ice my hip?", "what causes pain on the outside of my hip?",
            "how fast can i increase my mileage?", "when should i see a doctor?"]
