"""The fixed reply when the guard fires: what we heard, why it matters, where to go. Never self-care advice."""

from __future__ import annotations

from assistant.models import GuardVerdict


def reply_text(verdict: GuardVerdict) -> str:
    """The fixed reply for a fired verdict: what we heard, why it matters, see a doctor. No self-care advice."""
    if not verdict.fired:
        return ""
    flags = sorted(verdict.flags, key=lambda f: f.tier != "emergency")
    heard = ", ".join(dict.fromkeys(f"“{f.matched}”" for f in flags))
    reasons = " ".join(dict.fromkeys(f.reason for f in flags))
    if verdict.tier == "emergency":
        action = (
            "Please seek care now: call your local emergency number or go to the nearest emergency department."
        )
    else:
        action = "Please see a doctor before you keep running or try to treat this on your own."
    return (
        f"You mentioned {heard}. {reasons} {action} "
        "I can't give you running or home-care tips for this until a doctor has checked it."
    )
